// What the end-to-end suite drives: the real operator (running the real runner in node-agent pods),
// kubectl's JSON output, a warehouse role and database of its own, a file:// git repository of the
// example project, and a loopback webhook receiver.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/operator/operator_harness.h"
#include "tests/postgres/support/test_postgres.h"

namespace kubedbt::testing {

// Runs the real kubectl (the cluster's admin kubeconfig); throws with its stderr on a non-zero
// exit.
std::string kubectl_or_throw(const std::vector<std::string>& args,
                             const std::string& stdin_text = "");
// kubectl ... -o json, parsed.
nlohmann::json kubectl_json(const std::vector<std::string>& args);

// A role that owns a database of its own holding the shop's raw data: the warehouse of one test.
// Its name lets a test find the run's sessions in pg_stat_activity.
class Warehouse {
 public:
  explicit Warehouse(const std::string& prefix);
  ~Warehouse();
  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;

  const std::string& role() const { return role_; }
  const std::string& password() const { return password_; }
  const TestDatabase& database() const { return *database_; }
  // Sessions of the role other than idle ones (a run's queries).
  int active_sessions() const;

 private:
  std::string role_, password_;
  std::unique_ptr<TestDatabase> database_;
};

// The example project (examples/shop) committed on branch main of a git repository in a folder of
// the build tree (pods have an emptyDir over /tmp, so nothing a pod clones may live there).
class ShopRepository {
 public:
  explicit ShopRepository(const std::string& name);
  ~ShopRepository();
  ShopRepository(const ShopRepository&) = delete;
  ShopRepository& operator=(const ShopRepository&) = delete;

  std::string url() const { return "file://" + dir_.string(); }
  // Branch `branch` off main with `files` (path in the project -> content) written and committed.
  void branch(const std::string& branch, const std::map<std::string, std::string>& files) const;

 private:
  void git(const std::vector<std::string>& args) const;
  std::filesystem::path dir_;
};

// One test's world: namespace with RBAC, warehouse, repository, the password Secret, and
// kubedbt-operator as a process for the namespace, as a user bound to exactly deploy/rbac, whose
// run pods run the real kubedbt-runner (the image map of the test cluster).
class E2eEnvironment {
 public:
  explicit E2eEnvironment(const std::string& prefix);
  const std::string& ns() const { return ns_->name(); }
  const Warehouse& warehouse() const { return warehouse_; }
  const ShopRepository& repository() const { return repository_; }

  // Applies DbtProject `shop`: targets dev (schema dev) and prod (schema analytics, protected) in
  // the warehouse, state schema kubedbt, `extra_spec` merged into spec; waits until it is Ready.
  void apply_project(const nlohmann::json& extra_spec = nlohmann::json::object()) const;
  void apply(const nlohmann::json& object) const;
  // kubectl create job --from=cronjob/<schedule>: a run of the schedule now; returns the Job name.
  std::string trigger_schedule(const std::string& schedule, const std::string& job) const;
  // Waits until DbtRun `name` has a final phase (Succeeded, Failed, TimedOut, Cancelled); returns
  // it as kubectl shows it. Throws with the operator's log tail when it never finishes.
  nlohmann::json wait_for_finished_run(
      const std::string& name, std::chrono::seconds timeout = std::chrono::minutes(5)) const;
  nlohmann::json get(const std::string& kind, const std::string& name) const;
  // Where to look when an assertion fails: the DbtRun, the operator log tail, the run pod's log.
  std::string diagnostics(const std::string& run) const;

 private:
  std::unique_ptr<kube::Client> admin_;
  std::unique_ptr<TestNamespace> ns_;
  Warehouse warehouse_;
  ShopRepository repository_;
  std::unique_ptr<OperatorProcess> operator_;
};

// A loopback HTTP server that answers 200 to every request and keeps what it received.
class WebhookReceiver {
 public:
  struct Request {
    std::string method, path, body;
    std::map<std::string, std::string> headers;  // names lower-cased
  };
  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  std::vector<Request> requests() const;

 private:
  void handle(int fd);
  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::jthread thread_;
};

}  // namespace kubedbt::testing
