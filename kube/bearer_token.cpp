// Static or file-backed bearer tokens, re-read on a period.
#include "kube/bearer_token.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/log.h"

namespace kubedbt::kube {

std::string read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("token file " + path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  const char* space = " \t\r\n";
  auto first = token.find_first_not_of(space);
  if (first == std::string::npos) throw std::runtime_error("token file " + path + ": is empty");
  return token.substr(first, token.find_last_not_of(space) - first + 1);
}

BearerToken::BearerToken(const Config& config, Clock clock)
    : static_token_(config.token),
      file_(config.token_file),
      period_(config.token_reload_period),
      clock_(std::move(clock)) {}

std::string BearerToken::current() {
  if (file_.empty()) return static_token_;
  std::lock_guard lock(mu_);
  auto now = clock_();
  if (loaded_ && now - read_at_ < period_) return cached_;
  try {
    cached_ = read_token_file(file_);
    loaded_ = true;
  } catch (const std::exception& e) {
    if (!loaded_) throw;
    log::warn("keeping the previous bearer token", {{"file", file_}, {"error", e.what()}});
  }
  read_at_ = now;
  return cached_;
}

}  // namespace kubedbt::kube
