// Secret masking by plain substring replacement; values shorter than 4 characters are not masked
// (they would mangle ordinary text and protect nothing).
#include "runner/os/secret_scrubber.h"

#include <algorithm>

#include "runner/spec/target_spec.h"

namespace kubedbt::runner {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A notification's secret: its webhook URL, HMAC key or SMTP password (not the SMTP host, port,
// sender or TLS flag, whose values are ordinary words).
bool is_notification_secret(const std::string& name) {
  return name.rfind("KUBEDBT_NOTIFY_", 0) == 0 &&
         (ends_with(name, "_URL") || ends_with(name, "_HMAC") || ends_with(name, "_SMTP_PASSWORD"));
}

}  // namespace

SecretScrubber SecretScrubber::from_environment(const Environment& env,
                                                const std::vector<std::string>& extra_names) {
  std::vector<std::string> secrets;
  for (const auto& [name, value] : env) {
    bool secret = name.rfind(kSecretEnvPrefix, 0) == 0 || name.rfind("KUBEDBT_GIT_", 0) == 0 ||
                  is_notification_secret(name) ||
                  std::find(extra_names.begin(), extra_names.end(), name) != extra_names.end();
    if (secret) secrets.push_back(value);
  }
  return SecretScrubber(std::move(secrets));
}

SecretScrubber::SecretScrubber(std::vector<std::string> secrets) {
  for (auto& s : secrets) {
    if (s.size() >= 4) secrets_.push_back(std::move(s));
  }
  // Longest first, so a secret containing another is masked whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string SecretScrubber::scrub(const std::string& text) const {
  std::string out = text;
  for (const auto& secret : secrets_) {
    for (size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos)) {
      out.replace(pos, secret.size(), "*****");
      pos += 5;
    }
  }
  return out;
}

}  // namespace kubedbt::runner
