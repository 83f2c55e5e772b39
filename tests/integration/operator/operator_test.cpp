// kubedbt-operator on the local cluster, as a real process with exactly deploy/rbac: schedules
// become CronJobs, runs become Jobs with their outcome, projects report missing Secrets, protected
// targets are refused, and no secret value leaks.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "kube/errors.h"
#include "operator/kinds.h"
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
  EXPECT_TRUE(try_get(*admin, res::kConfigMaps, n, "shop-profiles").has_value());

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
}

TEST_F(OperatorTest, RunsBecomeJobsAndReportSuccessFailureTimeoutAndRefusal) {
  const auto& n = ns->name();
  must_apply(n, secret_yaml("warehouse", "password"));
  must_apply(n, project_yaml());
  must_apply(n, run_yaml("ok", "dev", ""));
  must_apply(n, run_yaml("broken", "dev", "  vars: {outcome: fail}\n"));
  must_apply(n, run_yaml("slow", "dev", "  vars: {outcome: sleep}\n  timeout: 5s\n"));
  must_apply(n, run_yaml("laptop-prod", "prod", ""));

  std::optional<Json> job;
  ASSERT_TRUE(
      eventually([&] { return (job = try_get(*admin, res::kJobs, n, "ok")).has_value(); }, 60s));
  EXPECT_EQ((*job)["metadata"]["ownerReferences"][0]["kind"], "DbtRun");
  const auto& pod = (*job)["spec"]["template"]["spec"];
  auto password = env_named(pod, "DBT_ENV_SECRET_DEV_PASSWORD");
  EXPECT_EQ(password["valueFrom"]["secretKeyRef"]["name"], "warehouse");
  EXPECT_EQ(password["valueFrom"]["secretKeyRef"]["key"], "password");
  EXPECT_EQ(pod["volumes"][0]["configMap"]["name"], "shop-profiles");

  EXPECT_TRUE(eventually([&] { return run_phase_is("ok", "Succeeded"); }, 90s))
      << run_status("ok").dump();
  EXPECT_TRUE(eventually([&] { return run_phase_is("broken", "Failed"); }, 90s))
      << run_status("broken").dump();
  EXPECT_NE(run_status("broken").value("message", "").find("exited with code 1"), std::string::npos)
      << run_status("broken").dump();
  EXPECT_TRUE(eventually([&] { return run_phase_is("slow", "TimedOut"); }, 90s))
      << run_status("slow").dump();
  EXPECT_EQ(run_status("slow").value("message", ""),
            "The run exceeded its timeout of 5s and was stopped.");
  EXPECT_TRUE(eventually([&] { return run_phase_is("laptop-prod", "Failed"); }, 30s));
  EXPECT_NE(run_status("laptop-prod").value("message", "").find("is protected"), std::string::npos);
  EXPECT_FALSE(try_get(*admin, res::kJobs, n, "laptop-prod").has_value());

  // No secret value anywhere: not in a dump of the namespace, not in the operator's log.
  auto dump = TestCluster::get().kubectl(
      {"-n", n, "get", "configmaps,events,jobs,cronjobs,pods,dbtprojects,dbtschedules,dbtruns",
       "-o", "json"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_EQ(dump.out.find(kSecretValue), std::string::npos);
  EXPECT_EQ(op->log().find(kSecretValue), std::string::npos);
}

}  // namespace
}  // namespace kubedbt::testing
