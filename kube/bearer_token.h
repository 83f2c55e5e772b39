// The bearer token a request carries: static, or re-read from a file (service-account tokens
// rotate).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "kube/config.h"

namespace kubedbt::kube {

class BearerToken {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Uses config.token, or config.token_file re-read once config.token_reload_period has passed.
  explicit BearerToken(const Config& config, Clock clock = std::chrono::steady_clock::now);

  // The current token ("" when the config has none). Thread-safe. When a reload fails the last
  // good token is kept (the kubelet rewrites the file atomically; a missing file is transient).
  std::string current();

 private:
  std::string static_token_;
  std::string file_;
  std::chrono::steady_clock::duration period_;
  Clock clock_;
  std::mutex mu_;
  std::string cached_;
  std::chrono::steady_clock::time_point read_at_{};
  bool loaded_ = false;
};

// Reads a token file, trimming surrounding whitespace; throws std::runtime_error naming the file.
std::string read_token_file(const std::string& path);

}  // namespace kubedbt::kube
