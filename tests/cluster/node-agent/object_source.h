// Where a pod's referenced ConfigMaps, Secrets and service-account tokens come from.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace kubedbt::node_agent {

using Json = nlohmann::json;

// Reads the objects a pod refers to; nullopt when the object does not exist.
class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  virtual std::optional<Json> config_map(const std::string& ns, const std::string& name) = 0;
  virtual std::optional<Json> secret(const std::string& ns, const std::string& name) = 0;
};

// A bound service-account token (TokenRequest) and when it stops being valid.
struct IssuedToken {
  std::string token;
  std::chrono::system_clock::time_point expires_at;
};

// What a projected serviceAccountToken source asks for.
struct TokenRequestSpec {
  std::string ns;
  std::string service_account;
  std::string audience;  // "" = the API server's own audiences
  int64_t expiration_seconds = 3600;
  std::string pod_name;
  std::string pod_uid;
};

// Issues tokens bound to a pod (TokenRequest on serviceaccounts/<name>/token).
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual IssuedToken request_token(const TokenRequestSpec& spec) = 0;
};

}  // namespace kubedbt::node_agent
