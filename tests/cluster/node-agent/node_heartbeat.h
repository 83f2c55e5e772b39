// Registers the Node and keeps it fresh: its Lease in kube-node-lease and its Ready status.
#pragma once

#include <chrono>
#include <string>

#include "kube/client.h"
#include "tests/cluster/node-agent/node_manifest.h"

namespace kubedbt::node_agent {

class NodeHeartbeat {
 public:
  NodeHeartbeat(kube::Client& client, NodeFacts facts);

  // Creates the Node (or adopts the existing one) and posts its status. Throws on API failure.
  void register_node();
  // Renews the Lease every 10 s and the status every 30 s; failures are logged and retried.
  void tick(std::chrono::system_clock::time_point now);

  const NodeFacts& facts() const { return facts_; }

 private:
  void post_status(std::chrono::system_clock::time_point now);
  void renew_lease(std::chrono::system_clock::time_point now);

  kube::Client& client_;
  NodeFacts facts_;
  std::string node_uid_;
  nlohmann::json last_status_ = nlohmann::json::object();
  std::chrono::system_clock::time_point next_lease_{};
  std::chrono::system_clock::time_point next_status_{};
};

}  // namespace kubedbt::node_agent
