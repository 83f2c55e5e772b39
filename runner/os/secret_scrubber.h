// Masks the values of secret environment variables in any text the runner writes out.
#pragma once

#include <string>
#include <vector>

#include "runner/os/subprocess.h"

namespace kubedbt::runner {

class SecretScrubber {
 public:
  // Collects the values of DBT_ENV_SECRET_*, KUBEDBT_GIT_* and the notification secrets
  // (KUBEDBT_NOTIFY_<i>_URL, _HMAC, _SMTP_PASSWORD), and of `extra_names`.
  static SecretScrubber from_environment(const Environment& env,
                                         const std::vector<std::string>& extra_names = {});
  explicit SecretScrubber(std::vector<std::string> secrets);

  // The text with every secret value replaced by "*****".
  std::string scrub(const std::string& text) const;

 private:
  std::vector<std::string> secrets_;
};

}  // namespace kubedbt::runner
