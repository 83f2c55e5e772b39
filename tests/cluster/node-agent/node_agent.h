// The node agent: watches pods, binds pending ones to its node, runs a PodWorker per bound pod,
// reaps their processes and keeps the Node fresh. One sync thread does all of it, in order.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include "kube/client.h"
#include "kube/informer.h"
#include "tests/cluster/node-agent/api_object_source.h"
#include "tests/cluster/node-agent/node_heartbeat.h"
#include "tests/cluster/node-agent/pod_worker.h"

namespace kubedbt::node_agent {

struct NodeAgentOptions {
  std::string node_name;
  std::string state_dir;
  std::string image_map_path;
  std::chrono::seconds shutdown_grace{5};  // how long SIGTERMed pods get when the agent stops
};

class NodeAgent {
 public:
  NodeAgent(kube::Client& client, NodeAgentOptions options, NodeFacts facts);
  ~NodeAgent();

  // Runs until `stop` is requested, then stops every pod's processes (SIGTERM, grace, SIGKILL).
  void run(std::stop_token stop);

 private:
  void reap(TimePoint now);
  void sync_pods(TimePoint now);
  void schedule_pending(TimePoint now);
  void mark_unschedulable(const Json& pod, const std::string& message);
  void shut_down();
  void wake();

  kube::Client& client_;
  NodeAgentOptions options_;
  ApiObjectSource objects_;
  NodeHeartbeat heartbeat_;
  NodeContext context_;
  std::unique_ptr<kube::Informer> assigned_;                   // spec.nodeName=<node>
  std::unique_ptr<kube::Informer> pending_;                    // spec.nodeName=""
  std::map<std::string, std::unique_ptr<PodWorker>> workers_;  // by pod uid
  std::map<std::string, std::unique_ptr<PodWorker>> orphans_;  // object gone, processes not yet
  std::map<std::string, TimePoint> next_bind_attempt_;         // by pod uid
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool dirty_ = false;
};

}  // namespace kubedbt::node_agent
