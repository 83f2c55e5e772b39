// Reading secrets from the environment by name.
#include "notify/environment.h"

namespace kubedbt::notify {

std::string required_env(const Environment& env, const std::string& name, const std::string& why) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) {
    throw ConfigError("environment variable " + name + " is not set (" + why + ")");
  }
  return it->second;
}

std::string optional_env(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

}  // namespace kubedbt::notify
