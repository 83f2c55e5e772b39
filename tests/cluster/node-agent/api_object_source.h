// ObjectSource and TokenSource on the real API server: ConfigMap/Secret reads and TokenRequest.
#pragma once

#include "kube/client.h"
#include "tests/cluster/node-agent/object_source.h"

namespace kubedbt::node_agent {

class ApiObjectSource : public ObjectSource, public TokenSource {
 public:
  explicit ApiObjectSource(kube::Client& client) : client_(client) {}

  std::optional<Json> config_map(const std::string& ns, const std::string& name) override;
  std::optional<Json> secret(const std::string& ns, const std::string& name) override;
  // POST serviceaccounts/<name>/token bound to the pod. Throws kube::ApiError on refusal.
  IssuedToken request_token(const TokenRequestSpec& spec) override;

 private:
  kube::Client& client_;
};

}  // namespace kubedbt::node_agent
