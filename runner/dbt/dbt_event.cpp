// Tolerant parsing of dbt's structured log lines.
#include "runner/dbt/dbt_event.h"

namespace kubedbt::runner {

std::string strip_ansi(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) ++i;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

std::optional<DbtEvent> parse_dbt_event(const std::string& line) {
  if (line.empty() || line.front() != '{') return std::nullopt;
  auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  auto info = json.find("info");
  if (info == json.end() || !info->is_object()) return std::nullopt;
  auto text = [&](const char* key) {
    auto it = info->find(key);
    return it != info->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  DbtEvent event;
  event.name = text("name");
  if (event.name.empty()) return std::nullopt;
  event.level = text("level");
  event.msg = strip_ansi(text("msg"));
  event.invocation_id = text("invocation_id");
  auto data = json.find("data");
  event.data = data != json.end() && data->is_object() ? *data : nlohmann::json::object();
  return event;
}

}  // namespace kubedbt::runner
