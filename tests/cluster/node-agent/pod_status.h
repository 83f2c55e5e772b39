// A pod's status as the kubelet reports it (phase, conditions, container states), built from
// what the node agent knows of its containers.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kubedbt::node_agent {

using Json = nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

// corev1.ContainerState: exactly one of waiting, running, terminated.
struct ContainerState {
  enum class Kind { Waiting, Running, Terminated };
  Kind kind = Kind::Waiting;
  std::string reason;  // Waiting: ContainerCreating, PodInitializing, CrashLoopBackOff,
                       // CreateContainerConfigError; Terminated: Completed, Error, StartError
  std::string message;
  int exit_code = 0;
  int signal = 0;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;

  static ContainerState waiting(std::string reason, std::string message = "");
  static ContainerState running(TimePoint started_at);
  // reason defaults to Completed for exit 0 and Error otherwise.
  static ContainerState terminated(int exit_code, int signal, TimePoint started_at,
                                   TimePoint finished_at, std::string message = "",
                                   std::string reason = "");
  bool succeeded() const { return kind == Kind::Terminated && exit_code == 0; }
};

struct ContainerRecord {
  std::string name;
  std::string image;
  std::string container_id;  // set once the container has started
  ContainerState state = ContainerState::waiting("ContainerCreating");
  std::optional<ContainerState> last_state;  // the previous termination, after a restart
  int restart_count = 0;
};

// Everything the status is computed from.
struct PodRecord {
  std::string restart_policy = "Always";  // Always | OnFailure | Never
  std::vector<ContainerRecord> init_containers;
  std::vector<ContainerRecord> containers;
  std::optional<TimePoint> start_time;
  bool sandbox_ready = false;  // volumes are in place
  bool stopping = false;       // deleted or past its deadline: nothing restarts any more
  bool failed = false;         // forced Failed (deadline exceeded, lost process)
  std::string reason;          // pod-level, e.g. DeadlineExceeded
  std::string message;
  std::string host_ip = "127.0.0.1";
  std::string pod_ip = "127.0.0.1";
};

// Pending, Running, Succeeded or Failed, by the kubelet's rules.
std::string pod_phase(const PodRecord& pod);
bool is_terminal_phase(const std::string& phase);

// The whole status object for pods/status. Condition lastTransitionTimes are kept from
// `previous_status` when a condition's status did not change.
Json build_pod_status(const PodRecord& pod, const Json& previous_status, TimePoint now);

// RFC 3339 in UTC with second precision ("2024-05-01T12:00:00Z").
std::string format_time(TimePoint time);

}  // namespace kubedbt::node_agent
