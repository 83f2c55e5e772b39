// Status write-back on the real cluster: a CronJob's run creates its DbtRun owned by the Job and
// reports into it; a user-created DbtRun gets its status; a missing, ended, re-created or foreign
// one is a clear error and nothing runs; a phase someone else finished is never overwritten.
#include "runner/report/cluster/dbtrun_reporter.h"

#include <gtest/gtest.h>

#include "kube/errors.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/api/crd_fixture.h"
#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

const kube::Resource kDbtRuns{"kubedbt.io", "v1alpha1", "dbtruns", true};

nlohmann::json suspended_job(const std::string& name) {
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"suspend", true},
            {"template",
             {{"spec",
               {{"restartPolicy", "Never"},
                {"containers",
                 {{{"name", "runner"},
                   {"image", "kubedbt-runner"},
                   {"command", {"kubedbt-runner"}}}}}}}}}}}};
}

class DbtRunReporterTest : public ::testing::Test {
 protected:
  void SetUp() override { install_crds(); }
  std::unique_ptr<kube::Client> client = TestCluster::get().admin_client();
  TestNamespace ns{*client, "runner"};
  TestDatabase db{"report"};
  TempDir dir;

  RunnerOptions cluster_env() {
    RunnerOptions o;
    o.env["KUBECONFIG"] = TestCluster::get().admin_kubeconfig();
    return o;
  }
};

TEST_F(DbtRunReporterTest, ACronJobsRunCreatesItsDbtRunOwnedByTheJobAndReportsIntoIt) {
  db.load_shop_raw_data();
  copy_shop_project(dir.path() / "shop");
  auto job = client->create(kube::resources::kJobs, ns.name(), suspended_job("nightly-29000000"));
  auto spec = dev_spec(db, dir.path() / "shop");
  spec["run"] = {{"namespace", ns.name()},
                 {"name", "nightly-29000000"},
                 {"jobName", "nightly-29000000"},
                 {"createIfMissing", true}};
  auto r = run_runner(spec, dir.path(), cluster_env());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto run = client->get(kDbtRuns, ns.name(), "nightly-29000000");
  const auto& owner = run["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "Job");
  EXPECT_EQ(owner["uid"], job["metadata"]["uid"]);
  EXPECT_EQ(run["spec"]["projectRef"]["name"], "shop");
  const auto& status = run["status"];
  EXPECT_EQ(status["phase"], "Succeeded");
  EXPECT_EQ(status["jobName"], "nightly-29000000");
  EXPECT_EQ(status["target"], "dev");
  EXPECT_EQ(status["summary"]["models"]["success"], 5);
  EXPECT_EQ(status["summary"]["tests"]["warn"], 1);
  EXPECT_EQ(status["progress"]["done"], status["progress"]["total"]);
  EXPECT_EQ(status["dbtVersion"], "1.11.16");
  EXPECT_EQ(status, r.status) << "the cluster and the status file disagree";
  bool succeeded = false;
  for (const auto& c : status["conditions"]) {
    if (c["type"] == "Succeeded") succeeded = c["status"] == "True";
  }
  EXPECT_TRUE(succeeded);
  EXPECT_EQ(status.dump().find(PostgresServer::get().password), std::string::npos);

  // The Job's deletion garbage-collects the DbtRun with it.
  client->remove(
      kube::resources::kJobs, ns.name(), "nightly-29000000",
      kube::DeleteOptions{std::string("Background"), std::nullopt, std::nullopt, std::nullopt});
  auto run_is_gone = [&] {
    try {
      client->get(kDbtRuns, ns.name(), "nightly-29000000");
      return false;
    } catch (const kube::NotFound&) {
      return true;
    }
  };
  EXPECT_TRUE(eventually(run_is_gone, std::chrono::seconds(60)));
}

TEST_F(DbtRunReporterTest, AUserCreatedDbtRunGetsTheFailureInItsStatus) {
  db.load_shop_raw_data();
  copy_shop_project(dir.path() / "shop");
  write_file(dir.path() / "shop/tests/assert_no_completed_orders.sql",
             "select order_id from {{ ref('fct_orders') }} where status = 'completed'\n");
  client->create(kDbtRuns, ns.name(),
                 {{"apiVersion", "kubedbt.io/v1alpha1"},
                  {"kind", "DbtRun"},
                  {"metadata", {{"name", "manual-1"}}},
                  {"spec", {{"projectRef", {{"name", "shop"}}}, {"target", "dev"}}}});
  auto spec = dev_spec(db, dir.path() / "shop");
  spec["run"] = {{"namespace", ns.name()}, {"name", "manual-1"}};
  auto r = run_runner(spec, dir.path(), cluster_env());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto status = client->get(kDbtRuns, ns.name(), "manual-1")["status"];
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["summary"]["tests"]["fail"], 1);
  EXPECT_NE(
      status["message"].get<std::string>().find("1 data test failed: assert_no_completed_orders"),
      std::string::npos)
      << status["message"];
  auto row = get_row(ns.name(), "dbtruns", "manual-1");
  EXPECT_EQ(cell(row, "PHASE"), "Failed");
}

TEST_F(DbtRunReporterTest, AMissingDbtRunIsAClearErrorAndNothingRuns) {
  copy_shop_project(dir.path() / "shop");
  auto spec = dev_spec(db, dir.path() / "shop");
  spec["run"] = {{"namespace", ns.name()}, {"name", "ghost"}};
  auto r = run_runner(spec, dir.path(), cluster_env());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("DbtRun " + ns.name() + "/ghost does not exist"), std::string::npos)
      << r.err;
  EXPECT_FALSE(db.schema_exists("analytics"));
}

// The operator failed the run before its pod ran (here: ContainerNotStarted, a missing Secret);
// a pod that starts afterwards runs nothing and leaves the status as the operator wrote it.
TEST_F(DbtRunReporterTest, ARunTheOperatorEndedBeforeItsPodStartedIsNotRun) {
  db.load_shop_raw_data();
  copy_shop_project(dir.path() / "shop");
  client->create(kDbtRuns, ns.name(),
                 {{"apiVersion", "kubedbt.io/v1alpha1"},
                  {"kind", "DbtRun"},
                  {"metadata", {{"name", "manual-1"}}},
                  {"spec", {{"projectRef", {{"name", "shop"}}}, {"target", "dev"}}}});
  const nlohmann::json ended = {{"phase", "Failed"},
                                {"message", "The runner container could not start."}};
  client->merge_patch(kDbtRuns, ns.name(), "manual-1", {{"status", ended}}, "status");
  auto spec = dev_spec(db, dir.path() / "shop");
  spec["run"] = {{"namespace", ns.name()}, {"name", "manual-1"}};
  auto r = run_runner(spec, dir.path(), cluster_env());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("already ended (Failed: The runner container could not start.)"),
            std::string::npos)
      << r.err;
  auto status = client->get(kDbtRuns, ns.name(), "manual-1")["status"];
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["message"], ended["message"]);
  EXPECT_FALSE(status.contains("startTime")) << "the runner wrote nothing";
  EXPECT_FALSE(db.schema_exists("analytics"));
}

// Deleted and created again under the same name: the old run's pod does not report into, or run
// for, the new DbtRun (it has its own Job).
TEST_F(DbtRunReporterTest, APodOfADeletedRunDoesNotRunForItsSuccessorOfTheSameName) {
  db.load_shop_raw_data();
  copy_shop_project(dir.path() / "shop");
  nlohmann::json run = {{"apiVersion", "kubedbt.io/v1alpha1"},
                        {"kind", "DbtRun"},
                        {"metadata", {{"name", "manual-1"}}},
                        {"spec", {{"projectRef", {{"name", "shop"}}}, {"target", "dev"}}}};
  auto old_uid = client->create(kDbtRuns, ns.name(), run)["metadata"]["uid"];
  client->remove(kDbtRuns, ns.name(), "manual-1");
  client->create(kDbtRuns, ns.name(), run);
  auto spec = dev_spec(db, dir.path() / "shop");
  spec["run"] = {{"namespace", ns.name()}, {"name", "manual-1"}, {"uid", old_uid}};
  auto r = run_runner(spec, dir.path(), cluster_env());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("deleted and created again"), std::string::npos) << r.err;
  EXPECT_FALSE(client->get(kDbtRuns, ns.name(), "manual-1").contains("status"));
  EXPECT_FALSE(db.schema_exists("analytics"));
}

// A user's DbtRun under the name of a schedule's next run (<cronjob>-<minutes>): the scheduled
// pod neither reports into it nor runs as it.
TEST_F(DbtRunReporterTest, AScheduledRunDoesNotReportIntoAUsersDbtRunOfItsName) {
  db.load_shop_raw_data();
  copy_shop_project(dir.path() / "shop");
  client->create(kube::resources::kJobs, ns.name(), suspended_job("nightly-29000001"));
  client->create(kDbtRuns, ns.name(),
                 {{"apiVersion", "kubedbt.io/v1alpha1"},
                  {"kind", "DbtRun"},
                  {"metadata", {{"name", "nightly-29000001"}}},
                  {"spec", {{"projectRef", {{"name", "shop"}}}, {"target", "dev"}}}});
  auto spec = dev_spec(db, dir.path() / "shop");
  spec["run"] = {{"namespace", ns.name()},
                 {"name", "nightly-29000001"},
                 {"jobName", "nightly-29000001"},
                 {"createIfMissing", true}};
  auto r = run_runner(spec, dir.path(), cluster_env());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("is not owned by Job nightly-29000001"), std::string::npos) << r.err;
  EXPECT_FALSE(client->get(kDbtRuns, ns.name(), "nightly-29000001").contains("status"));
  EXPECT_FALSE(db.schema_exists("analytics"));
}

// The run is ended by someone else while the runner works (the operator saw its Job fail): the
// runner's later progress and final status never move it back to Running or overwrite it.
TEST_F(DbtRunReporterTest, APhaseSomeoneElseFinishedIsNeverOverwritten) {
  db.load_shop_raw_data();
  copy_shop_project(dir.path() / "shop");
  write_file(dir.path() / "shop/models/nap.sql", "select 1 as slept from pg_sleep(4)\n");
  client->create(kDbtRuns, ns.name(),
                 {{"apiVersion", "kubedbt.io/v1alpha1"},
                  {"kind", "DbtRun"},
                  {"metadata", {{"name", "manual-1"}}},
                  {"spec", {{"projectRef", {{"name", "shop"}}}, {"target", "dev"}}}});
  auto spec = dev_spec(db, dir.path() / "shop");
  spec["run"] = {{"namespace", ns.name()}, {"name", "manual-1"}};
  const nlohmann::json ended = {{"phase", "TimedOut"},
                                {"message", "The run exceeded its timeout and was stopped."}};
  auto options = cluster_env();
  bool ended_it = false;
  options.stop_when = [&] {
    if (!ended_it &&
        client->get(kDbtRuns, ns.name(), "manual-1")["status"].value("phase", "") == "Running") {
      client->merge_patch(kDbtRuns, ns.name(), "manual-1", {{"status", ended}}, "status");
      ended_it = true;
    }
    return false;
  };
  auto r = run_runner(spec, dir.path(), options);
  ASSERT_TRUE(ended_it) << "the run was never seen Running: " << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["phase"], "Succeeded") << "the status file still has the runner's own view";
  auto status = client->get(kDbtRuns, ns.name(), "manual-1")["status"];
  EXPECT_EQ(status["phase"], "TimedOut");
  EXPECT_EQ(status["message"], ended["message"]);
  const std::string logged = "the DbtRun was ended by someone else";
  EXPECT_TRUE(r.out.find(logged) != std::string::npos || r.err.find(logged) != std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace kubedbt::testing
