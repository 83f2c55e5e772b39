// RunStatus onto the API's DbtRunStatus, and the DbtRun a CronJob's run creates.
#include "runner/report/cluster/dbtrun_status.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

TEST(DbtRunStatusTest, MapsARunningStatus) {
  RunStatus s;
  s.phase = Phase::Running;
  s.start_time = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  s.attempts = 1;
  s.progress = {12, 40, "model.shop.fct_orders"};
  s.summary.models.success = 11;
  auto out = to_dbt_run_status(s, "prod", "nightly-1");
  EXPECT_EQ(out.phase, api::RunPhase::Running);
  EXPECT_EQ(out.target, "prod");
  EXPECT_EQ(out.job_name, "nightly-1");
  ASSERT_TRUE(out.progress);
  EXPECT_EQ(out.progress->done, 12);
  EXPECT_EQ(out.progress->current, "model.shop.fct_orders");
  EXPECT_EQ(out.summary->models.success, 11);
  EXPECT_FALSE(out.completion_time);
  EXPECT_TRUE(out.conditions.empty());
  auto json = api::encode(out);
  EXPECT_EQ(json["phase"], "Running");
}

TEST(DbtRunStatusTest, AFinishedRunHasConditionsDurationAndBoundedLists) {
  RunStatus s;
  s.phase = Phase::Failed;
  s.start_time = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  s.completion_time = s.start_time + std::chrono::seconds(95);
  s.message = std::string(5000, 'm');
  for (int i = 0; i < 30; ++i)
    s.summary.failures.push_back({"model.shop.m" + std::to_string(i), "e"});
  for (int i = 0; i < 30; ++i)
    s.summary.slowest.push_back({"model.shop.m" + std::to_string(i), 1.0});
  auto out = to_dbt_run_status(s, "prod", "");
  EXPECT_EQ(out.failures.size(), api::kMaxFailures);
  EXPECT_EQ(out.slowest.size(), api::kMaxSlowest);
  EXPECT_EQ(out.message->size(), api::kMaxMessageLength);
  EXPECT_TRUE(out.duration);
  EXPECT_FALSE(out.job_name);
  EXPECT_TRUE(api::is_condition_true(out.conditions, api::condition_type::kComplete));
  EXPECT_FALSE(api::is_condition_true(out.conditions, api::condition_type::kSucceeded));
  EXPECT_EQ(api::find_condition(out.conditions, api::condition_type::kSucceeded)->reason, "Failed");
}

TEST(DbtRunStatusTest, MapsAnomaliesDeferralDeploymentAndDerivesFreshness) {
  RunStatus s;
  s.phase = Phase::Succeeded;
  s.summary.freshness.pass = 2;
  s.summary.freshness.warn = 1;
  for (int i = 0; i < 25; ++i) {
    s.anomalies.push_back({Anomaly::Kind::RowCount, "model.shop.m" + std::to_string(i), "12 rows"});
  }
  s.anomalies[0] = {Anomaly::Kind::Duration, "", "took 9m, median 2m"};
  s.deferral = Deferral{"prod", true};
  s.deployment = DeploymentOutcome{true, {"analytics"}, {"analytics_previous"}, ""};
  auto out = to_dbt_run_status(s, "prod", "");
  ASSERT_EQ(out.anomalies.size(), api::kMaxAnomalies);
  EXPECT_EQ(out.anomalies[0].kind, api::AnomalyKind::Duration);
  EXPECT_FALSE(out.anomalies[0].node);
  EXPECT_EQ(out.anomalies[1].kind, api::AnomalyKind::RowCount);
  EXPECT_EQ(out.anomalies[1].node, "model.shop.m1");
  ASSERT_TRUE(out.deferral);
  EXPECT_EQ(out.deferral->to, "prod");
  EXPECT_TRUE(out.deferral->manifest_found);
  ASSERT_TRUE(out.deployment);
  EXPECT_TRUE(out.deployment->swapped);
  EXPECT_EQ(out.deployment->previous, std::vector<std::string>{"analytics_previous"});
  auto json = api::encode(out);
  EXPECT_EQ(json["freshness"], "Warn");
  EXPECT_EQ(json["anomalies"][0]["kind"], "Duration");
  EXPECT_FALSE(json["anomalies"][0].contains("node"));
  EXPECT_EQ(json["deferral"]["manifestFound"], true);
  EXPECT_EQ(json["deployment"]["schemas"][0], "analytics");
}

TEST(DbtRunStatusTest, NoFreshnessWithoutCheckedSources) {
  RunStatus s;
  s.phase = Phase::Succeeded;
  auto json = api::encode(to_dbt_run_status(s, "prod", ""));
  EXPECT_FALSE(json.contains("freshness"));
  EXPECT_FALSE(json.contains("anomalies"));
  EXPECT_FALSE(json.contains("deferral"));
  EXPECT_FALSE(json.contains("deployment"));
  EXPECT_FALSE(json.contains("artifacts"));
}

TEST(DbtRunStatusTest, MapsWhereTheStateStoreKeptTheArtifacts) {
  RunStatus s;
  s.phase = Phase::Succeeded;
  s.stored = StoredArtifacts{"shop", "kubedbt", "0b7f-invocation"};
  auto json = api::encode(to_dbt_run_status(s, "prod", ""));
  EXPECT_EQ(json["artifacts"]["database"], "shop");
  EXPECT_EQ(json["artifacts"]["schema"], "kubedbt");
  EXPECT_EQ(json["artifacts"]["invocationId"], "0b7f-invocation");
}

TEST(DbtRunStatusTest, MapsNotificationDeliveriesBounded) {
  RunStatus s;
  s.phase = Phase::Failed;
  s.notifications = {{0, "webhook", {"failure"}, true, 1, ""},
                     {2, "slack", {"failure"}, false, 4, std::string(3000, 'x')}};
  auto json = api::encode(to_dbt_run_status(s, "dev", ""));
  ASSERT_EQ(json["notifications"].size(), 2u);
  EXPECT_EQ(json["notifications"][0]["delivered"], true);
  EXPECT_FALSE(json["notifications"][0].contains("message")) << "nothing to explain";
  EXPECT_EQ(json["notifications"][1]["index"], 2);
  EXPECT_EQ(json["notifications"][1]["attempts"], 4);
  EXPECT_EQ(json["notifications"][1]["message"].get<std::string>().size(), api::kMaxMessageLength);
  EXPECT_FALSE(api::encode(to_dbt_run_status(RunStatus{}, "dev", "")).contains("notifications"));
}

TEST(DbtRunStatusTest, ACronJobsRunIsOwnedByItsJob) {
  RunSpec spec;
  spec.project = "shop";
  spec.target.name = "prod";
  spec.commands = {"source freshness", "build"};
  spec.run = RunRef{"data", "nightly-29000000", "nightly-29000000", true, ""};
  spec.deployment.strategy = DeploymentSpec::Strategy::BlueGreen;
  spec.deployment.keep_previous = false;
  auto run = dbt_run_for_job(spec, "uid-123");
  EXPECT_EQ(run.spec.deployment.strategy, api::DeploymentStrategy::BlueGreen);
  EXPECT_FALSE(run.spec.deployment.keep_previous);
  EXPECT_EQ(run.metadata.name, "nightly-29000000");
  EXPECT_EQ(run.metadata.namespace_, "data");
  auto owners = run.metadata.other["ownerReferences"];
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_EQ(owners[0]["kind"], "Job");
  EXPECT_EQ(owners[0]["uid"], "uid-123");
  EXPECT_EQ(owners[0]["controller"], true);
  EXPECT_EQ(run.spec.project_ref.name, "shop");
  EXPECT_EQ(run.spec.invocation.commands, spec.commands);
  auto json = api::to_json(run);
  EXPECT_EQ(json["kind"], "DbtRun");
  EXPECT_EQ(json["spec"]["projectRef"]["name"], "shop");
}

}  // namespace
}  // namespace kubedbt::runner
