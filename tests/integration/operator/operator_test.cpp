// kubedbt-operator on the local cluster, as a real process with exactly deploy/rbac: schedules
// become CronJobs, runs become Jobs with their outcome, projects report missing Secrets, protected
// targets are refused, and no secret value leaks.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "kube/errors.h"
#include "operator/core/kinds.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/api/crd_fixture.h"
#include "tests/integration/operator/operator_harness.h"

namespace kubedbt::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
namespace res = kube::resources;

const std::string kSecretValue = "pw-" + std::to_string(std::random_device{}()) + "-do-not-leak";

std::string read_source(const std::string& relative) {
  std::ifstream in(source_path(relative));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<Json> try_get(kube::Client& c, const kube::Resource& r, const std::string& ns,
                            const std::string& name) {
  try {
    return c.get(r, ns, name);
  } catch (const kube::NotFound&) {
    return std::nullopt;
  }
}

Json ready_condition(const Json& object) {
  for (const auto& c : object.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready") return c;
  }
  return Json::object();
}

void must_apply(const std::string& ns, const std::string& yaml) {
  auto r = apply_yaml(ns, yaml);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
}

Json env_named(const Json& pod_spec, const std::string& name) {
  for (const auto& e : pod_spec["containers"][0]["env"]) {
    if (e["name"] == name) return e;
  }
  return nullptr;
}

// A project with a dev target whose password comes from Secret `warehouse`, and a protected prod.
std::string project_yaml() {
  return R"(
apiVersion: kubedbt.io/v1alpha1
kind: DbtProject
metadata: {name: shop}
spec:
  source: {image: {path: /project}}
  profile: shop
  defaultTarget: dev
  targets:
    dev:
      host: 127.0.0.1
      user: dbt
      database: shop
      schema: dev_shop
      passwordSecretRef: {name: warehouse, key: password}
    prod:
      host: 127.0.0.1
      user: dbt
      database: shop
      schema: analytics
      protected: true
      passwordSecretRef: {name: warehouse, key: password}
)";
}

std::string secret_yaml(const std::string& name, const std::string& key) {
  return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + "}\nstringData: {" + key +
         ": " + kSecretValue + "}\n";
}

std::string run_yaml(const std::string& name, const std::string& target, const std::string& extra) {
  return "apiVersion: kubedbt.io/v1alpha1\nkind: DbtRun\nmetadata: {name: " + name +
         "}\nspec:\n  projectRef: {name: shop}\n  target: " + target + "\n  commands: [build]\n" +
         extra;
}

class OperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin = TestCluster::get().admin_client();
    ns = std::make_unique<TestNamespace>(*admin, "op");
    kubeconfig = prepare_namespace(*admin, ns->name());
    op = std::make_unique<OperatorProcess>(kubeconfig, ns->name(), "a");
    op->start();
  }
  void TearDown() override {
    if (HasFailure() && op) std::cerr << "operator log tail:\n" << tail(op->log(), 6000) << "\n";
    op.reset();
  }
  static std::string tail(const std::string& s, std::size_t n) {
    return s.size() > n ? s.substr(s.size() - n) : s;
  }
  Json run_status(const std::string& name) {
    auto r = try_get(*admin, op::kDbtRuns, ns->name(), name);
    return r ? r->value("status", Json::object()) : Json::object();
  }
  bool run_phase_is(const std::string& name, const std::string& phase) {
    return run_status(name).value("phase", "") == phase;
  }

  std::unique_ptr<kube::Client> admin;
  std::unique_ptr<TestNamespace> ns;
  std::string kubeconfig;
  std::unique_ptr<OperatorProcess> op;
};

TEST_F(OperatorTest, ExampleScheduleBecomesCronJobThatFollowsEditsSuspendAndDelete) {
  const auto& n = ns->name();
  must_apply(n, read_source("examples/manifests/00-warehouse-secret.yaml"));
  must_apply(n, secret_yaml("shop-alerts", "url"));
  must_apply(n, read_source("examples/manifests/10-dbtproject.yaml"));
  must_apply(n, read_source("examples/manifests/20-dbtschedule-nightly.yaml"));

  std::optional<Json> cj;
  ASSERT_TRUE(eventually(
      [&] { return (cj = try_get(*admin, res::kCronJobs, n, "shop-nightly")).has_value(); }, 60s));
  const auto& spec = (*cj)["spec"];
  EXPECT_EQ(spec["schedule"], "0 6 * * *");
  EXPECT_EQ(spec["timeZone"], "Europe/Berlin");
  EXPECT_EQ(spec["concurrencyPolicy"], "Forbid");
  EXPECT_EQ(spec["startingDeadlineSeconds"], 3600);
  EXPECT_EQ(spec["successfulJobsHistoryLimit"], 7);
  EXPECT_EQ(spec["failedJobsHistoryLimit"], 3);
  EXPECT_EQ(spec["suspend"], false);
  EXPECT_EQ(spec["jobTemplate"]["spec"]["backoffLimit"], 0);
  EXPECT_EQ(spec["jobTemplate"]["spec"]["activeDeadlineSeconds"], 7200);
  EXPECT_EQ((*cj)["metadata"]["ownerReferences"][0]["kind"], "DbtSchedule");
  const auto& pod = spec["jobTemplate"]["spec"]["template"]["spec"];
  EXPECT_EQ(env_named(pod, "DBT_ENV_SECRET_PROD_PASSWORD")["valueFrom"]["secretKeyRef"]["name"],
            "shop-warehouse");
  EXPECT_EQ(pod["serviceAccountName"], "kubedbt-runner");
  EXPECT_EQ(pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"], true);

  ASSERT_TRUE(eventually(
      [&] {
        auto s = admin->get(op::kDbtSchedules, n, "shop-nightly");
        return ready_condition(s).value("status", "") == "True" &&
               s["status"].contains("nextScheduleTime");
      },
      30s));
  auto project = admin->get(op::kDbtProjects, n, "shop");
  EXPECT_EQ(ready_condition(project).value("status", ""), "True") << project.dump();
  EXPECT_EQ(ready_condition(project).value("reason", ""), "SpecValid");

  admin->merge_patch(op::kDbtSchedules, n, "shop-nightly",
                     {{"spec", {{"schedule", "15 7 * * *"}}}});
  EXPECT_TRUE(eventually(
      [&] {
        return admin->get(res::kCronJobs, n, "shop-nightly")["spec"]["schedule"] == "15 7 * * *";
      },
      30s));
  admin->merge_patch(op::kDbtSchedules, n, "shop-nightly", {{"spec", {{"suspend", true}}}});
  EXPECT_TRUE(eventually(
      [&] { return admin->get(res::kCronJobs, n, "shop-nightly")["spec"]["suspend"] == true; },
      30s));

  // A Job made from the CronJob (as `kubectl create job --from` does) becomes a visible DbtRun.
  auto made = TestCluster::get().kubectl(
      {"-n", n, "create", "job", "--from=cronjob/shop-nightly", "shop-nightly-manual"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_TRUE(eventually(
      [&] { return try_get(*admin, op::kDbtRuns, n, "shop-nightly-manual").has_value(); }, 30s));
  auto run = admin->get(op::kDbtRuns, n, "shop-nightly-manual");
  EXPECT_EQ(run["metadata"]["ownerReferences"][0]["kind"], "Job");
  EXPECT_EQ(run["spec"]["scheduleRef"]["name"], "shop-nightly");
  EXPECT_TRUE(eventually([&] { return run_phase_is("shop-nightly-manual", "Succeeded"); }, 90s))
      << run_status("shop-nightly-manual").dump();
  EXPECT_TRUE(eventually(
      [&] {
        auto s = admin->get(op::kDbtSchedules, n, "shop-nightly")["status"];
        return s.value("lastSuccessfulRun", Json::object()).value("name", "") ==
               "shop-nightly-manual";
      },
      30s));

  admin->remove(op::kDbtSchedules, n, "shop-nightly");
  EXPECT_TRUE(eventually([&] { return !try_get(*admin, res::kCronJobs, n, "shop-nightly"); }, 60s));
  EXPECT_TRUE(
      eventually([&] { return !try_get(*admin, res::kJobs, n, "shop-nightly-manual"); }, 60s));
}

TEST_F(OperatorTest, MissingSecretIsReportedAndClearsWhenItAppears) {
  const auto& n = ns->name();
  must_apply(n, project_yaml());
  ASSERT_TRUE(eventually(
      [&] {
        return ready_condition(admin->get(op::kDbtProjects, n, "shop")).value("reason", "") ==
               "SecretNotFound";
      },
      30s));
  auto project = admin->get(op::kDbtProjects, n, "shop");
  auto c = ready_condition(project);
  EXPECT_EQ(c["status"], "False");
  EXPECT_NE(c.value("message", "").find("warehouse"), std::string::npos) << c.dump();
  auto generation = project["metadata"]["generation"];

  must_apply(n, secret_yaml("warehouse", "wrong-key"));
  EXPECT_TRUE(eventually(
      [&] {
        return ready_condition(admin->get(op::kDbtProjects, n, "shop")).value("reason", "") ==
               "SecretKeyNotFound";
      },
      30s));
  admin->remove(res::kSecrets, n, "warehouse");
  must_apply(n, secret_yaml("warehouse", "password"));
  EXPECT_TRUE(eventually(
      [&] {
        return ready_condition(admin->get(op::kDbtProjects, n, "shop")).value("status", "") ==
               "True";
      },
      30s));
  EXPECT_EQ(admin->get(op::kDbtProjects, n, "shop")["metadata"]["generation"], generation)
      << "the resource itself was not touched";

  // Each readiness change is an Event on the project.
  auto events = admin->list(res::kEvents, n).items;
  std::set<std::string> reasons;
  for (const auto& e : events) {
    if (e["involvedObject"].value("name", "") == "shop") reasons.insert(e.value("reason", ""));
  }
  EXPECT_TRUE(reasons.count("SecretNotFound") && reasons.count("SecretKeyNotFound") &&
              reasons.count("SpecValid"))
      << events.size() << " events";

  // SIGTERM: a clean exit that hands the lease over.
  EXPECT_EQ(op->stop(), 0);
  EXPECT_NE(op->log().find("released the leader lease"), std::string::npos);
}

TEST_F(OperatorTest, RunsBecomeJobsAndReportSuccessFailureTimeoutAndRefusal) {
  const auto& n = ns->name();
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  must_apply(n, run_yaml("ok", "dev", ""));
  must_apply(n, run_yaml("broken", "dev", "  vars: {outcome: fail}\n"));
  must_apply(n, run_yaml("slow", "dev", "  vars: {outcome: sleep}\n  timeout: 1m\n"));
  must_apply(n, run_yaml("laptop-prod", "prod", ""));
  // A dev run that names production's schema as its own: CEL cannot see the project, the
  // operator refuses it before any Job exists.
  must_apply(n, run_yaml("dev-into-prod", "dev", "  schema: analytics\n"));

  std::optional<Json> job;
  ASSERT_TRUE(eventually(
      [&] { return (job = try_get(*admin, res::kJobs, n, "ok-run")).has_value(); }, 60s));
  EXPECT_EQ((*job)["metadata"]["ownerReferences"][0]["kind"], "DbtRun");
  const auto& pod = (*job)["spec"]["template"]["spec"];
  auto password = env_named(pod, "DBT_ENV_SECRET_DEV_PASSWORD");
  EXPECT_EQ(password["valueFrom"]["secretKeyRef"]["name"], "warehouse");
  EXPECT_EQ(password["valueFrom"]["secretKeyRef"]["key"], "password");
  EXPECT_EQ(pod["volumes"].size(), 1u)
      << "only the scratch emptyDir: the runner writes profiles.yml";

  EXPECT_TRUE(eventually([&] { return run_phase_is("ok", "Succeeded"); }, 90s))
      << run_status("ok").dump();
  EXPECT_TRUE(eventually([&] { return run_phase_is("broken", "Failed"); }, 90s))
      << run_status("broken").dump();
  EXPECT_NE(run_status("broken").value("message", "").find("exited with code 1"), std::string::npos)
      << run_status("broken").dump();
  EXPECT_TRUE(eventually([&] { return run_phase_is("slow", "TimedOut"); }, 150s))
      << run_status("slow").dump();
  EXPECT_EQ(run_status("slow").value("message", ""),
            "The run exceeded its timeout of 1m and was stopped.");
  EXPECT_TRUE(eventually([&] { return run_phase_is("laptop-prod", "Failed"); }, 30s));
  EXPECT_NE(run_status("laptop-prod").value("message", "").find("is protected"), std::string::npos);
  EXPECT_FALSE(try_get(*admin, res::kJobs, n, "laptop-prod-run").has_value());
  EXPECT_TRUE(eventually([&] { return run_phase_is("dev-into-prod", "Failed"); }, 30s));
  EXPECT_NE(run_status("dev-into-prod")
                .value("message", "")
                .find("spec.schema \"analytics\" is the schema of target \"prod\""),
            std::string::npos)
      << run_status("dev-into-prod").dump();
  EXPECT_FALSE(try_get(*admin, res::kJobs, n, "dev-into-prod-run").has_value());

  // No secret value anywhere: not in a dump of the namespace, not in the operator's log.
  auto dump = TestCluster::get().kubectl(
      {"-n", n, "get", "configmaps,events,jobs,cronjobs,pods,dbtprojects,dbtschedules,dbtruns",
       "-o", "json"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_EQ(dump.out.find(kSecretValue), std::string::npos);
  EXPECT_EQ(op->log().find(kSecretValue), std::string::npos);
}

std::string schedule_yaml(const std::string& name, int minute) {
  return "apiVersion: kubedbt.io/v1alpha1\nkind: DbtSchedule\nmetadata: {name: " + name +
         "}\nspec:\n  projectRef: {name: shop}\n  target: dev\n  schedule: \"" +
         std::to_string(minute) + " 3 * * *\"\n";
}

// Children of `kind` in `ns` grouped by the uid of their controller owner.
std::map<std::string, std::vector<std::string>> children_by_owner(kube::Client& c,
                                                                  const kube::Resource& r,
                                                                  const std::string& ns) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& o : c.list(r, ns).items) {
    for (const auto& ref : o["metadata"].value("ownerReferences", Json::array())) {
      if (ref.value("controller", false)) {
        out[ref.value("uid", "")].push_back(o["metadata"].value("name", ""));
      }
    }
  }
  return out;
}

TEST_F(OperatorTest, RestartsAtRandomPointsLeaveExactlyOneChildEach) {
  const auto& n = ns->name();
  // Up to one run per change is created; a history that keeps them all means none is pruned (the
  // default of 20 pruned the oldest when 21 runs were drawn), so every run must stay and succeed.
  constexpr int kChanges = 50;
  op->stop();
  op = std::make_unique<OperatorProcess>(
      kubeconfig, n, "a", std::vector<std::string>{"--run-history", std::to_string(kChanges)});
  op->start();
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  std::mt19937 rng(std::random_device{}());
  std::map<std::string, int> schedules;  // name -> minute, for those that should exist
  std::vector<std::string> runs;
  int kills = 0;
  for (int i = 0; i < kChanges; ++i) {
    std::string name = "s" + std::to_string(rng() % 8);
    int action = static_cast<int>(rng() % 4);
    if (action == 3) {
      std::string run = "r" + std::to_string(i);
      must_apply(n, run_yaml(run, "dev", ""));
      runs.push_back(run);
    } else if (action == 2 && schedules.count(name)) {
      admin->remove(op::kDbtSchedules, n, name);
      schedules.erase(name);
    } else {
      int minute = static_cast<int>(rng() % 60);
      must_apply(n, schedule_yaml(name, minute));
      schedules[name] = minute;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    if (i % 4 == 3) {  // 12 kills at random instants of the reconcile stream
      op->kill_now();
      ++kills;
      op->start();
    }
  }
  EXPECT_GE(kills, 10);

  auto converged = [&] {
    auto cron_jobs = children_by_owner(*admin, res::kCronJobs, n);
    std::size_t total = 0;
    for (const auto& [uid, names] : cron_jobs) total += names.size();
    if (total != schedules.size()) return false;
    for (const auto& [name, minute] : schedules) {
      auto s = try_get(*admin, op::kDbtSchedules, n, name);
      if (!s) return false;
      auto owned = cron_jobs[(*s)["metadata"]["uid"].get<std::string>()];
      if (owned.size() != 1) return false;
      auto cj = try_get(*admin, res::kCronJobs, n, owned[0]);
      if (!cj || (*cj)["spec"]["schedule"] != std::to_string(minute) + " 3 * * *") return false;
      if (ready_condition(*s).value("status", "") != "True") return false;
    }
    auto jobs = children_by_owner(*admin, res::kJobs, n);
    for (const auto& run : runs) {
      auto r = try_get(*admin, op::kDbtRuns, n, run);
      if (!r) return false;  // reported below: a run the test created is gone
      if (jobs[(*r)["metadata"]["uid"].get<std::string>()].size() != 1) return false;
      if (r->value("status", Json::object()).value("phase", "") != "Succeeded") return false;
    }
    return true;
  };
  EXPECT_TRUE(eventually(converged, 180s, 1s))
      << "schedules=" << schedules.size() << " runs=" << runs.size();
  for (const auto& run : runs) {
    EXPECT_TRUE(try_get(*admin, op::kDbtRuns, n, run).has_value())
        << "DbtRun " << run << " was deleted (" << runs.size() << " runs created, history "
        << kChanges << ")";
  }
  for (const auto& [uid, names] : children_by_owner(*admin, res::kJobs, n)) {
    EXPECT_EQ(names.size(), 1u) << "owner " << uid << " has Jobs " << names.size();
  }
}

TEST_F(OperatorTest, OnlyTheLeaderReconcilesAndAFollowerTakesOverWithinTwentySeconds) {
  const auto& n = ns->name();
  OperatorProcess b(kubeconfig, n, "b");
  b.start();
  auto leads = [](OperatorProcess& p) {
    return p.log().find("became the leader") != std::string::npos;
  };
  ASSERT_TRUE(eventually([&] { return leads(*op) || leads(b); }, 30s));
  OperatorProcess& leader = leads(*op) ? *op : b;
  OperatorProcess& follower = leads(*op) ? b : *op;
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  ASSERT_TRUE(eventually(
      [&] {
        return ready_condition(admin->get(op::kDbtProjects, n, "shop")).value("status", "") ==
               "True";
      },
      30s));
  EXPECT_FALSE(leads(follower));
  EXPECT_NE(leader.log().find("project readiness changed"), std::string::npos);
  EXPECT_EQ(follower.log().find("project readiness changed"), std::string::npos);

  int port = leader.health_port();
  ASSERT_GT(port, 0);
  EXPECT_EQ(http_get(port, "/healthz").substr(0, 3), "200");
  EXPECT_EQ(http_get(port, "/readyz").substr(0, 3), "200");
  auto metrics = http_get(port, "/metrics");
  EXPECT_NE(metrics.find("kubedbt_reconciles_total{kind=\"DbtProject\",result=\"success\"}"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("kubedbt_queue_depth{kind=\"DbtRun\"}"), std::string::npos);
  EXPECT_NE(metrics.find("kubedbt_leader 1"), std::string::npos);

  leader.kill_now();
  auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return leads(follower); }, 20s)) << "no takeover within 20 s";
  std::cout << "takeover after "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count()
            << " s\n";
  must_apply(n, schedule_yaml("after-failover", 5));
  EXPECT_TRUE(eventually(
      [&] { return try_get(*admin, res::kCronJobs, n, "after-failover").has_value(); }, 30s));
}

TEST_F(OperatorTest, PolicyRefusesProdRunsOutsideTheAllowedGroupAndAdmitsAllowedOnes) {
  const auto& n = ns->name();
  const auto& cluster = TestCluster::get();
  std::string policy = read_source("deploy/policy/protected-targets.yaml");
  // The example map protects shop.prod in namespace analytics: here, in the test's namespace.
  const std::string example = "{\"analytics\": {";
  policy.replace(policy.find(example), example.size(), "{\"" + n + "\": {");
  const std::string example_runner = "serviceaccount:analytics:kubedbt-runner";
  policy.replace(policy.find(example_runner), example_runner.size(),
                 "serviceaccount:" + n + ":kubedbt-runner");
  auto applied = cluster.kubectl({"apply", "-f", "-"}, policy);
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  must_apply(n,
             "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: run-creator}\n"
             "rules: [{apiGroups: [kubedbt.io], resources: [dbtruns], verbs: [get, create]}]\n");
  must_apply(
      n,
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: "
      "run-creators}\n"
      "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: run-creator}\n"
      "subjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: " +
          n +
          "-devs}\n"
          "- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: dbt-prod-deployers}\n");
  const std::string laptop = cluster.user_kubeconfig(n + "-laptop", {n + "-devs"});
  // The runner's identity, as code in a run pod has it (bound to the same create right here).
  const std::string runner_name = "system:serviceaccount:" + n + ":kubedbt-runner";
  must_apply(
      n,
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: "
      "runner-creates}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "
      "run-creator}\nsubjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: User, name: '" +
          runner_name + "'}\n");
  const std::string runner = cluster.user_kubeconfig(runner_name, {});
  const std::string deployer_name = n + "-deployer";
  const std::string deployer = cluster.user_kubeconfig(deployer_name, {"dbt-prod-deployers"});

  CommandResult refused;
  int attempt = 0;
  ASSERT_TRUE(eventually(
      [&] {
        std::string name = "laptop-" + std::to_string(attempt++);
        refused =
            cluster.kubectl({"-n", n, "create", "-f", "-"}, run_yaml(name, "prod", ""), laptop);
        if (refused.exit_code == 0) {  // the policy is not active yet
          admin->remove(op::kDbtRuns, n, name);
          return false;
        }
        return true;
      },
      60s, 1s));
  EXPECT_NE(refused.err.find("is protected"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(n + "-laptop"), std::string::npos) << refused.err;
  auto dev =
      cluster.kubectl({"-n", n, "create", "-f", "-"}, run_yaml("laptop-dev", "dev", ""), laptop);
  EXPECT_EQ(dev.exit_code, 0) << "unprotected targets stay open: " << dev.err;

  auto with_annotation = [&](const std::string& name, const std::string& who) {
    std::string y = run_yaml(name, "prod", "");
    y.replace(
        y.find("metadata: {name: " + name + "}"),
        std::string("metadata: {name: " + name + "}").size(),
        "metadata: {name: " + name + ", annotations: {kubedbt.io/requested-by: " + who + "}}");
    return y;
  };
  auto forged = cluster.kubectl({"-n", n, "create", "-f", "-"},
                                with_annotation("forged", "someone-else"), deployer);
  EXPECT_NE(forged.exit_code, 0);
  EXPECT_NE(forged.err.find("your own user name"), std::string::npos) << forged.err;
  // Code running as the runner cannot start a production run in its own name: it may create
  // only the DbtRun of a scheduled Job (Job-controlled, named after it), which never starts one.
  auto runner_run = cluster.kubectl({"-n", n, "create", "-f", "-"},
                                    with_annotation("from-the-pod", runner_name), runner);
  EXPECT_NE(runner_run.exit_code, 0);
  EXPECT_NE(runner_run.err.find("create only the DbtRun of a scheduled Job"), std::string::npos)
      << runner_run.err;
  std::string scheduled = run_yaml("nightly-29000000", "prod", "");
  scheduled.replace(scheduled.find("metadata: {name: nightly-29000000}"),
                    std::string("metadata: {name: nightly-29000000}").size(),
                    "metadata: {name: nightly-29000000, ownerReferences: [{apiVersion: batch/v1, "
                    "kind: Job, name: nightly-29000000, uid: 00000000-0000-0000-0000-000000000001, "
                    "controller: true}]}");
  auto scheduled_run =
      cluster.kubectl({"-n", n, "create", "--dry-run=server", "-f", "-"}, scheduled, runner);
  EXPECT_EQ(scheduled_run.exit_code, 0) << "a scheduled Job's DbtRun: " << scheduled_run.err;
  auto admitted = cluster.kubectl({"-n", n, "create", "-f", "-"},
                                  with_annotation("release", deployer_name), deployer);
  ASSERT_EQ(admitted.exit_code, 0) << admitted.err;
  EXPECT_TRUE(
      eventually([&] { return try_get(*admin, res::kJobs, n, "release-run").has_value(); }, 60s))
      << run_status("release").dump();

  // A protection added after the binding was gone for a while still takes effect: the map is in
  // the policy, not a ConfigMap read through an informer that Kubernetes 1.36 stops once no
  // binding uses it (kubernetes/kubernetes#130887).
  ASSERT_EQ(
      cluster.kubectl({"delete", "validatingadmissionpolicybinding", "kubedbt-protected-targets"})
          .exit_code,
      0);
  std::this_thread::sleep_for(3s);  // the admission plugin refreshes its policies every second
  const std::string prod_only = "\"shop.prod\": [";
  policy.replace(policy.find(prod_only), prod_only.size(), "\"shop.dev\": [");
  ASSERT_EQ(cluster.kubectl({"apply", "-f", "-"}, policy).exit_code, 0);
  EXPECT_TRUE(eventually(
      [&] {
        auto r = cluster.kubectl({"-n", n, "create", "--dry-run=server", "-f", "-"},
                                 run_yaml("late-dev", "dev", ""), laptop);
        return r.exit_code != 0 && r.err.find("is protected") != std::string::npos;
      },
      30s, 1s))
      << "dev, protected after the binding came back, is refused";
}

TEST_F(OperatorTest, FinishedUserRunsBeyondTheHistoryArePruned) {
  const auto& n = ns->name();
  op->stop();
  op = std::make_unique<OperatorProcess>(kubeconfig, n, "pruner",
                                         std::vector<std::string>{"--run-history", "2"});
  op->start();
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  for (int i = 0; i < 4; ++i) {
    std::string name = "nightly-check-" + std::to_string(i);
    must_apply(n, run_yaml(name, "dev", ""));
    ASSERT_TRUE(eventually(
        [&] { return !try_get(*admin, op::kDbtRuns, n, name) || run_phase_is(name, "Succeeded"); },
        90s));
  }
  EXPECT_TRUE(eventually([&] { return admin->list(op::kDbtRuns, n).items.size() == 2; }, 60s))
      << admin->list(op::kDbtRuns, n).items.size() << " runs left";
  EXPECT_TRUE(try_get(*admin, op::kDbtRuns, n, "nightly-check-3").has_value())
      << "the newest run is kept";
  EXPECT_FALSE(try_get(*admin, op::kDbtRuns, n, "nightly-check-0").has_value())
      << "the oldest run is pruned";
}

// The uid of `object`'s controller owner reference, or "".
std::string controller_uid(const Json& object) {
  for (const auto& ref : object["metadata"].value("ownerReferences", Json::array())) {
    if (ref.value("controller", false)) return ref.value("uid", "");
  }
  return "";
}

// Pods of Job `job` that ran their container (Running, Succeeded or Failed).
std::size_t pods_that_ran(kube::Client& c, const std::string& ns, const std::string& job) {
  kube::ListOptions by_job;
  by_job.label_selector = "batch.kubernetes.io/job-name=" + job;
  std::size_t ran = 0;
  for (const auto& pod : c.list(res::kPods, ns, by_job).items) {
    if (pod.value("status", Json::object()).value("phase", "Pending") != "Pending") ++ran;
  }
  return ran;
}

// A run the operator failed because its pod could not start (an env Secret that does not exist
// yet) must not run once the Secret appears: its Job is deleted.
TEST_F(OperatorTest, ARunFailedBeforeItsPodStartedDoesNotRunWhenTheCauseGoesAway) {
  const auto& n = ns->name();
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml() +
                    "  env:\n  - name: API_KEY\n    valueFrom: {secretKeyRef: {name: dbt-env, "
                    "key: key}}\n");
  must_apply(n, run_yaml("early", "dev", ""));
  ASSERT_TRUE(eventually([&] { return run_phase_is("early", "Failed"); }, 90s))
      << run_status("early").dump();
  EXPECT_EQ(run_status("early")["conditions"][0]["reason"], "ContainerNotStarted");
  EXPECT_TRUE(eventually([&] { return !try_get(*admin, res::kJobs, n, "early-run"); }, 60s))
      << "the Job of a run that has ended is deleted";
  must_apply(n, secret_yaml("dbt-env", "key"));
  std::this_thread::sleep_for(15s);  // longer than the node agent's retry of a failed start
  EXPECT_EQ(pods_that_ran(*admin, n, "early-run"), 0u) << "the runner never started";
  EXPECT_FALSE(try_get(*admin, res::kJobs, n, "early-run").has_value());
  EXPECT_EQ(run_status("early").value("phase", ""), "Failed");
  EXPECT_EQ(run_status("early")["conditions"][0]["reason"], "ContainerNotStarted");
}

// A DbtRun deleted and created again at once: the new one waits for the old Job to go, then
// runs in a Job of its own, and reports only its own result.
TEST_F(OperatorTest, ARunDeletedAndCreatedAgainAtOnceGetsAJobOfItsOwn) {
  const auto& n = ns->name();
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  must_apply(n, run_yaml("again", "dev", "  vars: {outcome: sleep}\n"));
  ASSERT_TRUE(eventually([&] { return run_phase_is("again", "Running"); }, 90s))
      << run_status("again").dump();
  auto old_uid = admin->get(op::kDbtRuns, n, "again")["metadata"]["uid"].get<std::string>();
  admin->remove(op::kDbtRuns, n, "again");
  ASSERT_TRUE(eventually([&] { return !try_get(*admin, op::kDbtRuns, n, "again"); }, 30s));
  must_apply(n, run_yaml("again", "dev", ""));
  auto new_uid = admin->get(op::kDbtRuns, n, "again")["metadata"]["uid"].get<std::string>();
  ASSERT_NE(new_uid, old_uid);
  ASSERT_TRUE(eventually([&] { return run_phase_is("again", "Succeeded"); }, 150s))
      << run_status("again").dump();
  auto job = try_get(*admin, res::kJobs, n, "again-run");
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(controller_uid(*job), new_uid) << "the old run's Job is never taken as the new one's";
  EXPECT_NE(run_status("again").value("message", "").find("completed"), std::string::npos)
      << run_status("again").dump();
}

// A user's DbtRun named like a schedule's run (<cronjob>-<minutes>) is refused before any Job:
// it would otherwise take that scheduled run's name.
TEST_F(OperatorTest, ARunNamedLikeTheNextScheduledRunIsRefused) {
  const auto& n = ns->name();
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  must_apply(n, schedule_yaml("nightly", 5));
  ASSERT_TRUE(
      eventually([&] { return try_get(*admin, res::kCronJobs, n, "nightly").has_value(); }, 60s));
  auto next_minutes = std::chrono::duration_cast<std::chrono::minutes>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() +
                      1;
  const std::string name = "nightly-" + std::to_string(next_minutes);
  must_apply(n, run_yaml(name, "dev", ""));
  ASSERT_TRUE(eventually([&] { return run_phase_is(name, "Failed"); }, 60s))
      << run_status(name).dump();
  EXPECT_EQ(run_status(name)["conditions"][0]["reason"], "NameReservedForSchedule");
  EXPECT_NE(run_status(name).value("message", "").find("DbtSchedule nightly"), std::string::npos)
      << run_status(name).dump();
  for (const auto& [uid, jobs] : children_by_owner(*admin, res::kJobs, n)) {
    EXPECT_NE(uid, admin->get(op::kDbtRuns, n, name)["metadata"]["uid"]) << jobs.front();
  }
}

// Fail closed: a target marked protected that the admission policy does not list is guarded by
// nothing but an annotation its creator sets to their own name, so the operator starts no
// user-created run on it: neither when the policy is missing nor when it lists nobody for it.
TEST_F(OperatorTest, AProtectedTargetThePolicyDoesNotGuardGetsNoUserCreatedRun) {
  const auto& n = ns->name();
  const std::string guard = n + "-guard";  // this test's own policy name: no other test's map
  op->stop();
  op = std::make_unique<OperatorProcess>(
      kubeconfig, n, "closed", std::vector<std::string>{"--protected-targets-policy", guard});
  op->start();
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  // The annotation as the policy demands it wherever it is bound: the creator's own name.
  auto whoami =
      TestCluster::get().kubectl({"auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"});
  ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
  auto annotated = [&](const std::string& name) {
    std::string y = run_yaml(name, "prod", "");
    y.replace(y.find("metadata: {name: " + name + "}"),
              std::string("metadata: {name: " + name + "}").size(),
              "metadata: {name: " + name + ", annotations: {kubedbt.io/requested-by: '" +
                  whoami.out + "'}}");
    return y;
  };
  must_apply(n, annotated("no-policy"));
  ASSERT_TRUE(eventually([&] { return run_phase_is("no-policy", "Failed"); }, 60s))
      << run_status("no-policy").dump();
  EXPECT_EQ(run_status("no-policy")["conditions"][0]["reason"], "ProtectedTargetUnguarded");
  EXPECT_NE(run_status("no-policy").value("message", "").find("is not installed"),
            std::string::npos)
      << run_status("no-policy").dump();
  // The project says so too, naming the chart value to set.
  Json guarded;
  EXPECT_TRUE(eventually(
      [&] {
        auto project = try_get(*admin, op::kDbtProjects, n, "shop");
        for (const auto& c :
             project ? (*project)["status"].value("conditions", Json::array()) : Json::array()) {
          if (c.value("type", "") == "ProtectedTargetsGuarded") guarded = c;
        }
        return guarded.is_object();
      },
      30s));
  EXPECT_EQ(guarded.value("status", ""), "False") << guarded.dump();
  EXPECT_NE(guarded.value("message", "").find("protectedTargets." + n + ".shop\\.prod"),
            std::string::npos)
      << guarded.dump();

  // A policy (no binding needed: the operator reads its map) that guards other targets only.
  auto applied = TestCluster::get().kubectl(
      {"apply", "-f", "-"},
      "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: "
      "{name: " +
          guard +
          "}\nspec:\n  matchConstraints: {resourceRules: [{apiGroups: [kubedbt.io], apiVersions: "
          "['*'], operations: [CREATE], resources: [dbtruns]}]}\n  variables:\n  - name: "
          "protectedTargets\n    expression: '{\"" +
          n + "\": {\"shop.dev\": [\"devs\"]}}'\n  validations:\n  - expression: 'true'\n");
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  must_apply(n, annotated("unlisted"));
  ASSERT_TRUE(eventually([&] { return run_phase_is("unlisted", "Failed"); }, 60s))
      << run_status("unlisted").dump();
  EXPECT_NE(run_status("unlisted").value("message", "").find("lists nobody"), std::string::npos)
      << run_status("unlisted").dump();
  EXPECT_NE(run_status("unlisted").value("message", "").find("protectedTargets." + n),
            std::string::npos);
  for (const char* job : {"no-policy-run", "unlisted-run"}) {
    EXPECT_FALSE(try_get(*admin, res::kJobs, n, job).has_value()) << job;
  }
  TestCluster::get().kubectl({"delete", "validatingadmissionpolicy", guard});
}
}  // namespace
}  // namespace kubedbt::testing
