// The reconcilers' decisions as pure functions: readiness, phase, status patches, pruning, refusal.
#include <gtest/gtest.h>

#include "operator/core/start_checks.h"
#include "operator/project/project_reconciler.h"
#include "operator/run/run_observation.h"
#include "operator/run/run_reconciler.h"
#include "operator/runtime/metrics.h"
#include "operator/schedule/schedule_reconciler.h"
#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
const api::Timestamp kNow = *api::parse_timestamp("2026-11-25T12:00:00Z");

Json job_with(const std::string& type, const std::string& reason) {
  return {{"metadata", {{"name", "j"}}},
          {"status",
           {{"startTime", "2026-11-25T11:00:00Z"},
            {"conditions", Json::array({{{"type", type},
                                         {"status", "True"},
                                         {"reason", reason},
                                         {"lastTransitionTime", "2026-11-25T11:10:00Z"}}})}}}};
}

Json pod_terminated(const std::string& reason, int code, const std::string& message) {
  return {
      {"metadata", {{"name", "p"}}},
      {"spec", {{"containers", Json::array({{{"name", "runner"}, {"image", "r:1"}}})}}},
      {"status",
       {{"phase", "Failed"},
        {"containerStatuses",
         Json::array({{{"name", "runner"},
                       {"state",
                        {{"terminated",
                          {{"reason", reason}, {"exitCode", code}, {"message", message}}}}}}})}}}};
}

TEST(ProjectEvaluation, ReadyWhenValidAndEverySecretIsThere) {
  auto e = evaluate_project(testing::sample_project(), [](const std::string&, const std::string&) {
    return SecretCheck::Present;
  });
  EXPECT_EQ(e.reason, "SpecValid");
  EXPECT_EQ(e.status, api::ConditionStatus::True);
  EXPECT_EQ(e.observed_generation, 3);
}

TEST(ProjectEvaluation, MissingSecretNamesItAndTheField) {
  auto e =
      evaluate_project(testing::sample_project(), [](const std::string& name, const std::string&) {
        return name == "pg-prod" ? SecretCheck::SecretNotFound : SecretCheck::Present;
      });
  EXPECT_EQ(e.status, api::ConditionStatus::False);
  EXPECT_EQ(e.reason, "SecretNotFound");
  EXPECT_NE(e.message.find("pg-prod"), std::string::npos);
  EXPECT_NE(e.message.find("spec.targets.prod.passwordSecretRef"), std::string::npos);
}

TEST(ProjectEvaluation, MissingKeyIsItsOwnReason) {
  auto e = evaluate_project(testing::sample_project(), [](const std::string& name,
                                                          const std::string& key) {
    return name == "pg-dev" && key == "password" ? SecretCheck::KeyNotFound : SecretCheck::Present;
  });
  EXPECT_EQ(e.reason, "SecretKeyNotFound");
  EXPECT_NE(e.message.find("password"), std::string::npos);
}

TEST(ProjectEvaluation, InvalidSpecWinsAndChecksNoSecret) {
  auto project = testing::sample_project();
  project.spec.targets.at("dev").port = 0;
  int lookups = 0;
  auto e = evaluate_project(project, [&](const std::string&, const std::string&) {
    ++lookups;
    return SecretCheck::Present;
  });
  EXPECT_EQ(e.reason, "InvalidSpec");
  EXPECT_EQ(lookups, 0);
}

TEST(ProjectStatus, UnchangedEvaluationMeansNoChange) {
  auto project = testing::sample_project();
  auto e = evaluate_project(
      project, [](const std::string&, const std::string&) { return SecretCheck::Present; });
  project.status = desired_project_status(project, e, kNow);
  EXPECT_EQ(desired_project_status(project, e, kNow + std::chrono::hours(1)), project.status)
      << "a second reconcile must not write";
}

TEST(RunObservation, NoJobIsPending) {
  EXPECT_EQ(observe_run(nullptr, {}, std::nullopt, kNow).phase, api::RunPhase::Pending);
}

TEST(RunObservation, CompleteJobSucceeded) {
  auto o = observe_run(job_with("Complete", ""), {}, std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Succeeded);
  EXPECT_EQ(api::format_timestamp(*o.completion_time), "2026-11-25T11:10:00Z");
}

TEST(RunObservation, DeadlineExceededIsTimedOutAndQuotesTheTimeout) {
  auto o = observe_run(job_with("Failed", "DeadlineExceeded"), {}, "10m", kNow);
  EXPECT_EQ(o.phase, api::RunPhase::TimedOut);
  EXPECT_EQ(o.message, "The run exceeded its timeout of 10m and was stopped.");
}

TEST(RunObservation, OomKilledIsNamed) {
  auto o = observe_run(job_with("Failed", "BackoffLimitExceeded"),
                       {pod_terminated("OOMKilled", 137, "")}, std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Failed);
  EXPECT_EQ(o.reason, "OOMKilled");
  EXPECT_NE(o.message.find("memory"), std::string::npos);
}

TEST(RunObservation, FailedRunnerQuotesItsTerminationMessage) {
  auto o =
      observe_run(job_with("Failed", "BackoffLimitExceeded"),
                  {pod_terminated("Error", 2, "invalid run spec: target.host: is required\nmore")},
                  std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Failed);
  EXPECT_EQ(o.message,
            "The runner exited with code 2: invalid run spec: target.host: is required.");
}

TEST(RunObservation, ImagePullFailureFailsTheRun) {
  Json pod = {{"metadata", {{"name", "p"}}},
              {"spec", {{"containers", Json::array({{{"name", "runner"}, {"image", "nope:1"}}})}}},
              {"status",
               {{"phase", "Pending"},
                {"containerStatuses",
                 Json::array({{{"name", "runner"},
                               {"state", {{"waiting", {{"reason", "ImagePullBackOff"}}}}}}})}}}};
  auto o = observe_run(Json{{"metadata", {{"name", "j"}}}, {"status", Json::object()}}, {pod},
                       std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Failed);
  EXPECT_EQ(o.message, "The runner image nope:1 could not be pulled (ImagePullBackOff).");
}

TEST(RunObservation, PodThatNeverStartedFailsAfterTenMinutes) {
  Json pod = {{"metadata", {{"name", "p"}, {"creationTimestamp", "2026-11-25T11:00:00Z"}}},
              {"status",
               {{"phase", "Pending"},
                {"conditions", Json::array({{{"type", "PodScheduled"},
                                             {"status", "False"},
                                             {"message", "0/1 nodes are available"}}})}}}};
  Json job = {{"metadata", {{"name", "j"}}}, {"status", Json::object()}};
  EXPECT_EQ(
      observe_run(job, {pod}, std::nullopt, *api::parse_timestamp("2026-11-25T11:05:00Z")).phase,
      api::RunPhase::Pending);
  auto o = observe_run(job, {pod}, std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Failed);
  EXPECT_NE(o.message.find("0/1 nodes are available"), std::string::npos);
}

TEST(RunStatusPatch, NeverOverwritesAFinishedPhaseTheRunnerWrote) {
  api::DbtRunStatus current;
  current.phase = api::RunPhase::Failed;
  current.message = "3 tests failed.";
  current.job_name = "j";
  current.start_time = kNow;
  RunObservation o;
  o.phase = api::RunPhase::Succeeded;
  o.message = "The run's Job completed.";
  EXPECT_TRUE(run_status_patch(current, o, "j", 1, kNow).is_null());
}

TEST(RunStatusPatch, WritesOnlyWhatChanged) {
  api::DbtRunStatus current;
  current.phase = api::RunPhase::Running;
  current.job_name = "j";
  RunObservation o = observe_run(job_with("Failed", "DeadlineExceeded"), {}, "1h", kNow);
  auto patch = run_status_patch(current, o, "j", 1, kNow);
  ASSERT_FALSE(patch.is_null());
  EXPECT_EQ(patch["status"]["phase"], "TimedOut");
  EXPECT_FALSE(patch["status"].contains("jobName"));
  EXPECT_EQ(patch["status"]["duration"], "10m0s");
  EXPECT_EQ(patch["status"]["conditions"].size(), 2u);
  RunObservation pending;
  EXPECT_TRUE(run_status_patch(current, pending, "j", 1, kNow).is_null())
      << "a Pending observation never moves a Running run back";
}

TEST(Pruning, DeletesOldestFinishedUserRunsBeyondTheLimit) {
  std::vector<api::DbtRun> runs;
  for (int i = 0; i < 5; ++i) {
    auto r = testing::sample_run();
    r.metadata.name = "r" + std::to_string(i);
    r.status.phase = api::RunPhase::Succeeded;
    r.status.completion_time = kNow + std::chrono::minutes(i);
    runs.push_back(r);
  }
  runs[4].status.phase = api::RunPhase::Running;  // active: never pruned
  auto scheduled = testing::sample_run();
  scheduled.metadata.name = "from-cron";
  scheduled.status.phase = api::RunPhase::Succeeded;
  scheduled.metadata.other["ownerReferences"] =
      Json::array({{{"kind", "Job"}, {"name", "from-cron"}, {"uid", "u"}, {"controller", true}}});
  runs.push_back(scheduled);
  EXPECT_EQ(runs_to_prune(runs, 2), (std::vector<std::string>{"r0", "r1"}));
  EXPECT_TRUE(runs_to_prune(runs, 4).empty());
}

TEST(Pruning, KeepsExactlyTheLimitAndPrunesOnlyTheOldestOneBeyondIt) {
  std::vector<api::DbtRun> runs;
  for (int i = 0; i < 20; ++i) {
    auto r = testing::sample_run();
    r.metadata.name = "r" + std::to_string(i);
    r.status.phase = api::RunPhase::Succeeded;
    r.status.completion_time = kNow + std::chrono::seconds(i);
    runs.push_back(r);
  }
  EXPECT_TRUE(runs_to_prune(runs, 20).empty()) << "20 finished runs fit a history of 20";
  auto newest = testing::sample_run();
  newest.metadata.name = "r20";
  newest.status.phase = api::RunPhase::Failed;
  newest.status.completion_time = kNow + std::chrono::seconds(20);
  runs.push_back(newest);
  EXPECT_EQ(runs_to_prune(runs, 20), (std::vector<std::string>{"r0"}));
}

TEST(ProtectedTarget, UserRunWithoutThePolicyMarkIsRefusedWithAReason) {
  auto run = testing::sample_run();
  run.spec.target = "prod";
  auto why = protected_target_refusal(run, testing::sample_project(), "prod");
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("protected"), std::string::npos);
  run.metadata.annotations["kubedbt.io/requested-by"] = "alice";
  EXPECT_FALSE(protected_target_refusal(run, testing::sample_project(), "prod").has_value());
  EXPECT_FALSE(protected_target_refusal(testing::sample_run(), testing::sample_project(), "dev"));
}

TEST(ScheduleStatus, SummarisesRunsNewestFirst) {
  std::vector<api::DbtRun> runs;
  const char* phases[] = {"Succeeded", "Failed", "Running"};
  for (int i = 0; i < 3; ++i) {
    auto r = testing::sample_run();
    r.metadata.name = "nightly-" + std::to_string(i);
    r.metadata.other["creationTimestamp"] = "2026-11-2" + std::to_string(i) + "T02:30:00Z";
    r.status.phase = api::parse_enum<api::RunPhase>(phases[i]);
    runs.push_back(r);
  }
  api::DbtScheduleStatus status;
  summarise_runs(status, runs);
  ASSERT_EQ(status.recent_runs.size(), 3u);
  EXPECT_EQ(status.recent_runs[0].name, "nightly-2");
  EXPECT_EQ(status.last_run->name, "nightly-2");
  EXPECT_EQ(status.last_successful_run->name, "nightly-0");
  EXPECT_EQ(status.active_runs, std::vector<std::string>{"nightly-2"});
}

TEST(ScheduleStatus, FreshnessComesFromTheNewestFinishedRunThatCheckedSources) {
  auto make = [](const std::string& day, const char* phase, api::FreshnessCounts freshness) {
    auto r = testing::sample_run();
    r.metadata.name = "nightly-" + day;
    r.metadata.other["creationTimestamp"] = "2026-11-" + day + "T02:30:00Z";
    r.status.phase = api::parse_enum<api::RunPhase>(phase);
    r.status.summary = api::RunSummary{};
    r.status.summary->freshness = freshness;
    return r;
  };
  api::DbtScheduleStatus status;
  status.freshness = api::FreshnessState::Error;  // stale: recomputed from the runs
  summarise_runs(status, {make("20", "Succeeded", {3, 1, 0}), make("21", "Failed", {0, 0, 0}),
                          make("22", "Running", {0, 0, 2})});
  EXPECT_EQ(status.freshness, api::FreshnessState::Warn)
      << "a running run and a run without source checks do not count";
  summarise_runs(status, {make("21", "Failed", {0, 0, 0})});
  EXPECT_FALSE(status.freshness);
}

TEST(Metrics, AnomaliesAreCountedOncePerFinishedRun) {
  Metrics metrics;
  Metrics::RunAnomalies run{"uid-1", "data", "shop", "prod", {"RowCount", "RowCount", "Duration"}};
  metrics.count_finished_run(run);
  metrics.count_finished_run(run);  // the same run seen again (another update)
  metrics.count_finished_run({"uid-2", "data", "shop", "prod", {"Duration"}});
  auto text = metrics.render();
  EXPECT_NE(text.find("kubedbt_run_anomalies_total{namespace=\"data\",project=\"shop\","
                      "target=\"prod\",kind=\"RowCount\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kubedbt_run_anomalies_total{namespace=\"data\",project=\"shop\","
                      "target=\"prod\",kind=\"Duration\"} 2\n"),
            std::string::npos)
      << text;
}

TEST(ScheduleCronJob, HashChangesOnlyWithTheDesiredObject) {
  Json a = {{"metadata", {{"name", "x"}}}, {"spec", {{"schedule", "0 * * * *"}}}};
  Json b = a;
  b["spec"]["schedule"] = "5 * * * *";
  auto ha = cron_job_with_hash(a)["metadata"]["annotations"]["kubedbt.io/spec-hash"];
  EXPECT_EQ(ha, cron_job_with_hash(
                    cron_job_with_hash(a))["metadata"]["annotations"]["kubedbt.io/spec-hash"]);
  EXPECT_NE(ha, cron_job_with_hash(b)["metadata"]["annotations"]["kubedbt.io/spec-hash"]);
}

}  // namespace
}  // namespace kubedbt::op
