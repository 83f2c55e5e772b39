// The operator as the integration suites run it: a real kubedbt-operator process, as a
// client-certificate user bound to exactly the RBAC of deploy/rbac, in one test namespace.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "kube/client.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt::testing {

// Runner command for test pods (the node agent runs commands): the run's vars decide the outcome.
// {"outcome": "fail"} exits 1 with a message, {"outcome": "sleep"} outlives any short timeout,
// anything else exits 0.
std::string test_runner_command();

// Installs the CRDs, deploy/rbac into `ns` (the runner ServiceAccount included), and binds the
// operator ClusterRole and leader-election Role to a minted user; returns its kubeconfig.
std::string prepare_namespace(kube::Client& admin, const std::string& ns);

class OperatorProcess {
 public:
  OperatorProcess(std::string kubeconfig, std::string ns, std::string identity,
                  std::vector<std::string> extra_args = {});
  ~OperatorProcess();  // SIGKILL if still running
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  // Replaces test_runner_command() (comma-separated), e.g. with the real kubedbt-runner; empty:
  // run pods run their image's own command.
  void set_runner_command(std::string command) { runner_command_ = std::move(command); }
  void start();
  // SIGTERM and wait; returns the exit status.
  int stop();
  void kill_now();  // SIGKILL and reap
  bool running();
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }
  std::string log() const;
  // The port of /healthz etc., read from the "operator starting" log line (0 until logged).
  int health_port() const;

 private:
  std::string kubeconfig_, ns_, identity_, log_path_;
  std::vector<std::string> extra_args_;
  std::string runner_command_ = test_runner_command();
  pid_t pid_ = -1;
  int starts_ = 0;
};

// GET http://127.0.0.1:<port><path>; returns "<code> <body>", or "" when nothing answers.
std::string http_get(int port, const std::string& path);

}  // namespace kubedbt::testing
