// The runner's environment as notifications read it: where secrets arrive, by variable name.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

namespace kubedbt::notify {

using Environment = std::map<std::string, std::string>;

// A destination whose settings cannot be used; the message names the variable and the fix, and
// never holds a value.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The value of `name`; throws ConfigError "<name> is not set (<why>)" when missing or empty.
std::string required_env(const Environment& env, const std::string& name, const std::string& why);
std::string optional_env(const Environment& env, const std::string& name);

}  // namespace kubedbt::notify
