// One pod on this node: sets up its volumes, runs its init and regular containers as local
// processes, restarts them by policy, enforces its deadline and deletion, and reports its status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kube/client.h"
#include "tests/cluster/node-agent/api_object_source.h"
#include "tests/cluster/node-agent/downward_api.h"
#include "tests/cluster/node-agent/pod_status.h"

namespace kubedbt::node_agent {

// What every pod worker shares: the API, where state lives, how images map.
struct NodeContext {
  kube::Client& client;
  ApiObjectSource& objects;
  std::string node_name;
  std::string state_dir;
  std::string server_url;      // the API server as pods reach it (KUBERNETES_SERVICE_HOST/PORT)
  std::string image_map_path;  // "" = no image map
  std::string host_path;       // PATH of the agent, the base PATH of every container
  PodRuntimeFacts facts;
};

// Driven by the node agent's single sync thread: every method runs on that thread.
class PodWorker {
 public:
  PodWorker(NodeContext& node, const Json& pod);

  // Moves the pod one step towards what its spec and metadata ask for, given its latest object.
  void sync(const Json& pod, TimePoint now);
  // A process exited (waitpid); returns false when the pid is not one of this pod's containers.
  bool on_exit(pid_t pid, int wait_status, TimePoint now);
  // SIGTERM to every running container's process group (the agent is stopping).
  void terminate();
  // The API object is gone, or the grace period is over: SIGKILL whatever still runs.
  void kill_all();
  bool has_processes() const;
  // Removes the pod's volumes folder (its Secrets among them); logs are kept.
  void remove_files() const;

  const std::string& ns() const { return ns_; }
  const std::string& name() const { return name_; }

 private:
  struct ContainerRuntime {
    Json spec;
    pid_t pid = 0;
    TimePoint next_start{};
    std::chrono::seconds backoff{0};
    std::string termination_log;  // host file bind-mounted at terminationMessagePath
    std::string log_path;
  };
  enum class Stopping { No, Deleted, DeadlineExceeded };

  void begin_stop(Stopping why, std::chrono::seconds grace, TimePoint now);
  void advance_stop(TimePoint now);
  void set_up_volumes(TimePoint now);
  void refresh_volumes_if_due(TimePoint now);
  void run_init_containers(TimePoint now);
  void run_containers(TimePoint now);
  void start(ContainerRecord& record, ContainerRuntime& runtime, TimePoint now);
  std::string termination_message(const ContainerRuntime& runtime, int exit_code) const;
  void signal_all(int sig);
  void report(TimePoint now);
  void delete_api_object();
  nlohmann::json log_fields() const;

  NodeContext& node_;
  Json pod_;
  std::string ns_, name_, uid_;
  std::string pod_dir_;  // <state>/pods/<uid>: volumes, termination logs
  std::string log_dir_;  // <state>/logs/<ns>_<name>_<uid>
  PodRecord record_;
  std::vector<ContainerRuntime> init_runtime_;
  std::vector<ContainerRuntime> runtime_;
  std::map<std::string, std::string> volume_paths_;  // volume name -> host path
  bool volumes_ready_ = false;
  TimePoint next_volume_attempt_{};
  std::optional<TimePoint> volume_refresh_at_;
  Stopping stopping_ = Stopping::No;
  TimePoint kill_at_{};
  bool killed_ = false;
  bool api_object_deleted_ = false;
  bool adopted_terminal_ = false;  // found already finished (agent restart): only deletion left
  Json last_reported_;
  TimePoint next_report_attempt_{};
};

}  // namespace kubedbt::node_agent
