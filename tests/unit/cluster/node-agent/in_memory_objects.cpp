// ConfigMaps, Secrets and tokens held in memory, for tests.
#include "tests/unit/cluster/node-agent/in_memory_objects.h"

namespace kubedbt::node_agent::testing {

std::string base64_encode(const std::string& text) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : text) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

void InMemoryObjects::add_config_map(const std::string& ns, const std::string& name,
                                     const std::map<std::string, std::string>& data) {
  config_maps_[ns + "/" + name] = {{"metadata", {{"name", name}, {"namespace", ns}}},
                                   {"data", data}};
}

void InMemoryObjects::add_secret(const std::string& ns, const std::string& name,
                                 const std::map<std::string, std::string>& data) {
  Json encoded = Json::object();
  for (const auto& [key, value] : data) encoded[key] = base64_encode(value);
  secrets_[ns + "/" + name] = {{"metadata", {{"name", name}, {"namespace", ns}}},
                               {"data", encoded}};
}

std::optional<Json> InMemoryObjects::config_map(const std::string& ns, const std::string& name) {
  auto found = config_maps_.find(ns + "/" + name);
  if (found == config_maps_.end()) return std::nullopt;
  return found->second;
}

std::optional<Json> InMemoryObjects::secret(const std::string& ns, const std::string& name) {
  auto found = secrets_.find(ns + "/" + name);
  if (found == secrets_.end()) return std::nullopt;
  return found->second;
}

IssuedToken InMemoryObjects::request_token(const TokenRequestSpec& spec) {
  token_requests.push_back(spec);
  return {"token-for-" + spec.service_account + "-" + spec.audience,
          now + std::chrono::seconds(spec.expiration_seconds)};
}

}  // namespace kubedbt::node_agent::testing
