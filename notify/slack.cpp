// Slack message layout.
#include "notify/slack.h"

namespace kubedbt::notify {
namespace {

std::string escape_mrkdwn(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// Cuts at `limit` bytes without splitting a UTF-8 sequence.
std::string cut(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

}  // namespace

nlohmann::json slack_payload(const Message& m, const std::string& channel) {
  // Slack's limits: a header's text 150 characters, a section's 3000.
  nlohmann::json blocks = nlohmann::json::array();
  blocks.push_back(
      {{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", cut(m.title, 150)}}}});
  blocks.push_back({{"type", "section"},
                    {"text", {{"type", "mrkdwn"}, {"text", cut(escape_mrkdwn(m.text), 2900)}}}});
  if (!m.describe_command.empty()) {
    nlohmann::json command = {{"type", "mrkdwn"},
                              {"text", "`" + escape_mrkdwn(m.describe_command) + "`"}};
    blocks.push_back({{"type", "context"}, {"elements", nlohmann::json::array({command})}});
  }
  nlohmann::json payload = {{"text", escape_mrkdwn(m.title + "\n" + m.text)}, {"blocks", blocks}};
  if (!channel.empty()) payload["channel"] = channel;
  return payload;
}

}  // namespace kubedbt::notify
