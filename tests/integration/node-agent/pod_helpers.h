// Small helpers for node agent integration tests: create a pod, wait for it, read its states.
#pragma once

#include <chrono>
#include <string>

#include "kube/client.h"

namespace kubedbt::testing {

// The Node the agent registers (cluster.sh starts it with --node-name kubedbt-node).
inline constexpr const char* kNodeName = "kubedbt-node";

// A host folder for one test (hostPath volumes, mount points); removed with its contents.
class HostDir {
 public:
  HostDir();
  ~HostDir();
  HostDir(const HostDir&) = delete;
  HostDir& operator=(const HostDir&) = delete;
  const std::string& path() const { return path_; }
  // The file's content, or "" when it does not exist.
  std::string read(const std::string& name) const;

 private:
  std::string path_;
};

// A Pod manifest named `name` with one container running `sh -c script` from image busybox.
kube::Json shell_pod(const std::string& name, const std::string& script,
                     const std::string& restart_policy = "Never");

// Waits until the pod's phase is `phase` (or it is terminal, when `phase` is); returns the pod.
// Fails the test (returns the last object seen) when it does not happen in `timeout`.
kube::Json wait_for_phase(kube::Client& client, const std::string& ns, const std::string& name,
                          const std::string& phase,
                          std::chrono::seconds timeout = std::chrono::seconds(60));

// Waits until the pod object is gone; returns whether it went.
bool wait_until_gone(kube::Client& client, const std::string& ns, const std::string& name,
                     std::chrono::seconds timeout = std::chrono::seconds(60));

// containerStatuses[index].state.terminated (null when absent).
kube::Json terminated_state(const kube::Json& pod, std::size_t index = 0);

}  // namespace kubedbt::testing
