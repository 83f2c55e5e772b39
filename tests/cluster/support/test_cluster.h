// Access to the shared local cluster an integration test runs against ($KUBEDBT_CLUSTER_DIR).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kube/client.h"
#include "kube/config.h"

namespace kubedbt::testing {

// Result of running a command line tool (kubectl, cluster.sh).
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The running cluster started by `tests/cluster/cluster.sh up` (the ctest fixture `cluster`).
class TestCluster {
 public:
  // Reads $KUBEDBT_CLUSTER_DIR/env; throws std::runtime_error with the fix when it is not running.
  static const TestCluster& get();

  const std::string& dir() const { return dir_; }
  kube::Config admin_config() const;
  std::unique_ptr<kube::Client> admin_client() const;
  // A client-certificate user with these groups (cluster.sh mint-user), no RBAC bindings of its
  // own.
  kube::Config user_config(const std::string& user, const std::vector<std::string>& groups) const;
  // Path of that user's kubeconfig, for kubectl --kubeconfig.
  std::string user_kubeconfig(const std::string& user,
                              const std::vector<std::string>& groups) const;

  // Stops kube-apiserver and starts it again on the same port; returns when it is ready.
  void restart_apiserver() const;
  // Compacts etcd up to its current revision, so older resourceVersions are Gone.
  void compact_etcd() const;

  std::string admin_kubeconfig() const;
  std::string kubectl_path() const;
  std::string helm_path() const;
  // kubectl with the admin kubeconfig (or `kubeconfig` when given); stdin_text is piped in.
  CommandResult kubectl(const std::vector<std::string>& args, const std::string& stdin_text = "",
                        const std::string& kubeconfig = "") const;

 private:
  explicit TestCluster(std::string dir);
  std::string dir_;
};

// A namespace of its own for one test; deleted (without waiting) when it goes out of scope.
class TestNamespace {
 public:
  explicit TestNamespace(kube::Client& client, const std::string& prefix = "t");
  ~TestNamespace();
  TestNamespace(const TestNamespace&) = delete;
  TestNamespace& operator=(const TestNamespace&) = delete;
  const std::string& name() const { return name_; }

 private:
  kube::Client& client_;
  std::string name_;
};

// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(30),
                std::chrono::milliseconds interval = std::chrono::milliseconds(100));

// Runs argv (no shell) with stdin_text piped in, capturing stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                          const std::vector<std::string>& extra_env = {});

}  // namespace kubedbt::testing
