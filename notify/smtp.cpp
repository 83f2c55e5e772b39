// SMTP delivery over libcurl.
#include "notify/smtp.h"

#include <openssl/evp.h>

#include <algorithm>
#include <ctime>

#include "notify/curl_handle.h"
#include "notify/random_hex.h"

namespace kubedbt::notify {
namespace {

std::string header_value(const std::string& value) {
  std::string out;
  for (char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string encoded_subject(const std::string& subject) {
  bool ascii = std::all_of(subject.begin(), subject.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  return ascii ? subject : "=?UTF-8?B?" + base64(subject) + "?=";
}

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buffer;
}

std::string crlf_lines(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

struct UploadCursor {
  const std::string* text;
  size_t position = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* cursor = static_cast<UploadCursor*>(user);
  size_t n = std::min(size * count, cursor->text->size() - cursor->position);
  std::copy_n(cursor->text->data() + cursor->position, n, buffer);
  cursor->position += n;
  return n;
}

}  // namespace

SmtpSettings SmtpSettings::from_environment(const Environment& env, const std::string& prefix) {
  SmtpSettings s;
  s.host =
      required_env(env, prefix + "HOST", "the SMTP server's host name; add HOST to its Secret");
  s.from = required_env(env, prefix + "FROM", "the sender address; add FROM to the SMTP Secret");
  std::string tls = optional_env(env, prefix + "TLS");
  if (tls.empty() || tls == "starttls") {
    s.tls = Tls::StartTls;
    s.port = 587;
  } else if (tls == "tls") {
    s.tls = Tls::Implicit;
    s.port = 465;
  } else if (tls == "none") {
    s.tls = Tls::None;
    s.port = 25;
  } else {
    throw ConfigError(prefix + "TLS is \"" + tls + "\"; use starttls (default), tls or none");
  }
  std::string port = optional_env(env, prefix + "PORT");
  if (!port.empty()) {
    bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
    int value = digits ? std::stoi(port) : 0;
    if (value < 1 || value > 65535) {
      throw ConfigError(prefix + "PORT must be a port number from 1 to 65535");
    }
    s.port = value;
  }
  s.username = optional_env(env, prefix + "USERNAME");
  if (!s.username.empty()) {
    s.password = required_env(env, prefix + "PASSWORD",
                              "a USERNAME is set; add PASSWORD to the SMTP Secret");
    if (s.tls == Tls::None) {
      throw ConfigError(prefix + "TLS is none but " + prefix +
                        "USERNAME is set: the password would cross the network in clear; use "
                        "starttls or tls");
    }
  }
  s.ca_file = optional_env(env, prefix + "CA_FILE");
  return s;
}

std::string bare_address(const std::string& mailbox) {
  auto open = mailbox.find('<');
  auto close = mailbox.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return mailbox;
  return mailbox.substr(open + 1, close - open - 1);
}

std::string new_message_id(const std::string& from) {
  std::string id = random_hex(12);
  std::string address = bare_address(from);
  auto at = address.find('@');
  std::string domain = at == std::string::npos ? "kubedbt.local" : address.substr(at + 1);
  return "<" + id + "@" + domain + ">";
}

std::string email_document(const Message& m, const std::string& from,
                           const std::vector<std::string>& to,
                           std::chrono::system_clock::time_point date,
                           const std::string& message_id) {
  std::string recipients;
  for (const auto& r : to) recipients += (recipients.empty() ? "" : ", ") + r;
  std::string d;
  d += "Date: " + rfc5322_date(date) + "\r\n";
  d += "From: " + header_value(from) + "\r\n";
  d += "To: " + header_value(recipients) + "\r\n";
  d += "Subject: " + encoded_subject(header_value(m.title)) + "\r\n";
  d += "Message-ID: " + header_value(message_id) + "\r\n";
  d += "MIME-Version: 1.0\r\n";
  d += "Content-Type: text/plain; charset=utf-8\r\n";
  d += "Content-Transfer-Encoding: 8bit\r\n";
  d += "\r\n";
  d += crlf_lines(m.text);
  return d;
}

AttemptResult send_email_once(const SmtpSettings& s, const std::vector<std::string>& to,
                              const std::string& document, Millis timeout) {
  auto easy = make_curl_easy();
  CURL* c = easy.get();
  std::string host = s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host;
  std::string url = std::string(s.tls == SmtpSettings::Tls::Implicit ? "smtps://" : "smtp://") +
                    host + ":" + std::to_string(s.port);
  std::vector<std::string> rcpt;
  for (const auto& r : to) rcpt.push_back("<" + bare_address(r) + ">");
  auto rcpt_list = make_curl_list(rcpt);
  std::string mail_from = "<" + bare_address(s.from) + ">";
  UploadCursor cursor{&document};

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(
      c, CURLOPT_USE_SSL,
      static_cast<long>(s.tls == SmtpSettings::Tls::None ? CURLUSESSL_NONE : CURLUSESSL_ALL));
  if (!s.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.ca_file.c_str());
  if (!s.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, s.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt_list.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &cursor);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(timeout, Millis(5000)).count()));

  AttemptResult result;
  CURLcode code = curl_easy_perform(c);
  if (code == CURLE_OK) {
    result.verdict = AttemptResult::Verdict::Delivered;
    result.detail = "accepted by the SMTP server";
    return result;
  }
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  if (reply >= 400 && reply < 500) {
    result.verdict = AttemptResult::Verdict::Retryable;
  } else if (reply >= 500) {
    result.verdict = AttemptResult::Verdict::Permanent;
  } else {
    result.verdict =
        is_transient(code) ? AttemptResult::Verdict::Retryable : AttemptResult::Verdict::Permanent;
  }
  result.detail =
      (reply >= 400 ? "SMTP " + std::to_string(reply) + ", " : std::string()) + describe(code);
  return result;
}

}  // namespace kubedbt::notify
