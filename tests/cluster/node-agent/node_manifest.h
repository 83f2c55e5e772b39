// The Node object the agent registers, its heartbeat status and its Lease in kube-node-lease.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace kubedbt::node_agent {

using Json = nlohmann::json;

// Facts about the machine the node agent runs on.
struct NodeFacts {
  std::string name;
  std::string address = "127.0.0.1";
  int64_t cpus = 1;
  int64_t memory_bytes = 1LL << 30;
  int64_t max_pods = 110;
  std::string kernel_version;
  std::string os_image;
  std::string architecture = "amd64";  // GOARCH spelling
  std::string kubelet_version;         // the API server's version, as a kubelet would match it
  std::string agent_version = "0.1.0";
};

// Labels the scheduler and nodeSelectors expect on every node.
Json node_labels(const NodeFacts& facts);

// The Node to create: labels and spec (status goes through nodes/status).
Json node_manifest(const NodeFacts& facts);

// The full status: Ready and pressure conditions (heartbeat `now`), capacity, allocatable,
// addresses, nodeInfo. `previous_status` keeps condition lastTransitionTimes.
Json node_status(const NodeFacts& facts, const Json& previous_status,
                 std::chrono::system_clock::time_point now);

// The node's Lease (namespace kube-node-lease) renewed at `now`; owned by the Node `node_uid`.
Json node_lease(const std::string& node_name, const std::string& node_uid, int duration_seconds,
                std::chrono::system_clock::time_point now);

// MicroTime format of Lease.spec.renewTime ("2024-05-01T12:00:00.123456Z").
std::string format_micro_time(std::chrono::system_clock::time_point time);

}  // namespace kubedbt::node_agent
