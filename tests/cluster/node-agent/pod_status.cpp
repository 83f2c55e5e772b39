// A pod's status as the kubelet reports it.
#include "tests/cluster/node-agent/pod_status.h"

#include <ctime>

namespace kubedbt::node_agent {
namespace {

std::string join_names(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

Json state_json(const ContainerState& state, const std::string& container_id) {
  switch (state.kind) {
    case ContainerState::Kind::Waiting: {
      Json waiting = {{"reason", state.reason}};
      if (!state.message.empty()) waiting["message"] = state.message;
      return {{"waiting", waiting}};
    }
    case ContainerState::Kind::Running:
      return {{"running", {{"startedAt", format_time(state.started_at.value_or(TimePoint{}))}}}};
    case ContainerState::Kind::Terminated: {
      Json terminated = {{"exitCode", state.exit_code}, {"reason", state.reason}};
      if (state.signal != 0) terminated["signal"] = state.signal;
      if (!state.message.empty()) terminated["message"] = state.message;
      if (state.started_at) terminated["startedAt"] = format_time(*state.started_at);
      if (state.finished_at) terminated["finishedAt"] = format_time(*state.finished_at);
      if (!container_id.empty()) terminated["containerID"] = container_id;
      return {{"terminated", terminated}};
    }
  }
  return Json::object();
}

Json container_status_json(const ContainerRecord& container) {
  const bool running = container.state.kind == ContainerState::Kind::Running;
  Json status = {
      {"name", container.name},
      {"image", container.image},
      {"imageID", container.image},
      {"ready", running},
      {"started", running},
      {"restartCount", container.restart_count},
      {"state", state_json(container.state, container.container_id)},
      {"lastState", container.last_state ? state_json(*container.last_state, "") : Json::object()},
  };
  if (!container.container_id.empty()) status["containerID"] = container.container_id;
  return status;
}

// A condition with its lastTransitionTime carried over while its status stays the same.
Json condition(const std::string& type, bool value, const std::string& reason,
               const std::string& message, const Json& previous_status, TimePoint now) {
  const std::string status = value ? "True" : "False";
  std::string since = format_time(now);
  for (const auto& old : previous_status.value("conditions", Json::array())) {
    if (old.value("type", "") == type && old.value("status", "") == status &&
        old.contains("lastTransitionTime") && old["lastTransitionTime"].is_string()) {
      since = old["lastTransitionTime"].get<std::string>();
    }
  }
  Json out = {{"type", type},
              {"status", status},
              {"lastProbeTime", nullptr},
              {"lastTransitionTime", since}};
  if (!reason.empty()) out["reason"] = reason;
  if (!message.empty()) out["message"] = message;
  return out;
}

}  // namespace

ContainerState ContainerState::waiting(std::string reason, std::string message) {
  ContainerState state;
  state.kind = Kind::Waiting;
  state.reason = std::move(reason);
  state.message = std::move(message);
  return state;
}

ContainerState ContainerState::running(TimePoint started_at) {
  ContainerState state;
  state.kind = Kind::Running;
  state.started_at = started_at;
  return state;
}

ContainerState ContainerState::terminated(int exit_code, int signal, TimePoint started_at,
                                          TimePoint finished_at, std::string message,
                                          std::string reason) {
  ContainerState state;
  state.kind = Kind::Terminated;
  state.exit_code = exit_code;
  state.signal = signal;
  state.started_at = started_at;
  state.finished_at = finished_at;
  state.message = std::move(message);
  state.reason = !reason.empty() ? std::move(reason) : (exit_code == 0 ? "Completed" : "Error");
  return state;
}

bool is_terminal_phase(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

std::string pod_phase(const PodRecord& pod) {
  if (pod.failed) return "Failed";
  const std::string policy = pod.stopping ? "Never" : pod.restart_policy;
  for (const auto& init : pod.init_containers) {
    if (init.state.succeeded()) continue;
    if (init.state.kind == ContainerState::Kind::Terminated && policy == "Never") return "Failed";
    return pod.stopping ? "Failed" : "Pending";
  }
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& container : pod.containers) {
    switch (container.state.kind) {
      case ContainerState::Kind::Running:
        ++running;
        break;
      case ContainerState::Kind::Terminated:
        ++stopped;
        if (container.state.succeeded()) ++succeeded;
        break;
      case ContainerState::Kind::Waiting:
        if (container.last_state) {  // waiting to restart: counts as its last termination
          ++stopped;
          if (container.last_state->succeeded()) ++succeeded;
        } else {
          ++waiting;
        }
        break;
    }
  }
  if (waiting > 0) return pod.stopping ? "Failed" : "Pending";
  if (running > 0) return "Running";
  if (policy == "Always") return "Running";
  if (stopped == succeeded) return "Succeeded";
  if (policy == "Never") return "Failed";
  return "Running";  // OnFailure: the failed containers are restarted
}

Json build_pod_status(const PodRecord& pod, const Json& previous_status, TimePoint now) {
  const std::string phase = pod_phase(pod);
  const bool terminal = is_terminal_phase(phase);

  std::vector<std::string> incomplete_init;
  for (const auto& init : pod.init_containers) {
    if (!init.state.succeeded()) incomplete_init.push_back(init.name);
  }
  std::vector<std::string> unready;
  for (const auto& container : pod.containers) {
    if (container.state.kind != ContainerState::Kind::Running) unready.push_back(container.name);
  }
  const bool initialized = incomplete_init.empty();
  const bool ready = unready.empty() && !terminal;
  std::string ready_reason, ready_message;
  if (!ready) {
    ready_reason = terminal ? "PodCompleted" : "ContainersNotReady";
    if (!terminal) ready_message = "containers with unready status: " + join_names(unready);
  }

  Json conditions = Json::array();
  conditions.push_back(condition("PodReadyToStartContainers", pod.sandbox_ready && !terminal, "",
                                 "", previous_status, now));
  conditions.push_back(condition(
      "Initialized", initialized, initialized ? "" : "ContainersNotInitialized",
      initialized ? "" : "containers with incomplete status: " + join_names(incomplete_init),
      previous_status, now));
  conditions.push_back(
      condition("Ready", ready, ready_reason, ready_message, previous_status, now));
  conditions.push_back(
      condition("ContainersReady", ready, ready_reason, ready_message, previous_status, now));
  conditions.push_back(condition("PodScheduled", true, "", "", previous_status, now));

  Json status = {
      {"phase", phase},        {"conditions", conditions},
      {"hostIP", pod.host_ip}, {"hostIPs", Json::array({{{"ip", pod.host_ip}}})},
      {"podIP", pod.pod_ip},   {"podIPs", Json::array({{{"ip", pod.pod_ip}}})},
  };
  if (pod.start_time) status["startTime"] = format_time(*pod.start_time);
  if (!pod.reason.empty()) status["reason"] = pod.reason;
  if (!pod.message.empty()) status["message"] = pod.message;
  Json containers = Json::array();
  for (const auto& container : pod.containers)
    containers.push_back(container_status_json(container));
  status["containerStatuses"] = containers;
  if (!pod.init_containers.empty()) {
    Json inits = Json::array();
    for (const auto& init : pod.init_containers) inits.push_back(container_status_json(init));
    status["initContainerStatuses"] = inits;
  }
  return status;
}

std::string format_time(TimePoint time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace kubedbt::node_agent
