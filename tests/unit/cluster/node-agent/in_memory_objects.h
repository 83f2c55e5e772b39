// ConfigMaps, Secrets and tokens held in memory, for tests of code that reads them through
// ObjectSource / TokenSource without an API server.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/cluster/node-agent/object_source.h"

namespace kubedbt::node_agent::testing {

class InMemoryObjects : public ObjectSource, public TokenSource {
 public:
  // `data` values are plain text; secrets are stored base64-encoded as the API returns them.
  void add_config_map(const std::string& ns, const std::string& name,
                      const std::map<std::string, std::string>& data);
  void add_secret(const std::string& ns, const std::string& name,
                  const std::map<std::string, std::string>& data);

  std::optional<Json> config_map(const std::string& ns, const std::string& name) override;
  std::optional<Json> secret(const std::string& ns, const std::string& name) override;
  // Returns "token-for-<sa>-<audience>" valid for spec.expiration_seconds from `now`.
  IssuedToken request_token(const TokenRequestSpec& spec) override;

  std::chrono::system_clock::time_point now{};
  std::vector<TokenRequestSpec> token_requests;

 private:
  std::map<std::string, Json> config_maps_;
  std::map<std::string, Json> secrets_;
};

std::string base64_encode(const std::string& text);

}  // namespace kubedbt::node_agent::testing
