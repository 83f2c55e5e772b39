// DbtSchedule reconciler: the status summary of its runs, the CronJob's spec hash, and
// reconcile_schedule's decisions with the exact API calls it makes.
#include "operator/schedule/schedule_reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/children/workload_builders.h"
#include "operator/core/kinds.h"
#include "tests/unit/operator/fixtures.h"
#include "tests/unit/operator/reconcile_harness.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using testing::kNowText;

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

TEST(ScheduleCronJob, HashChangesOnlyWithTheDesiredObject) {
  Json a = {{"metadata", {{"name", "x"}}}, {"spec", {{"schedule", "0 * * * *"}}}};
  Json b = a;
  b["spec"]["schedule"] = "5 * * * *";
  auto ha = cron_job_with_hash(a)["metadata"]["annotations"]["kubedbt.io/spec-hash"];
  EXPECT_EQ(ha, cron_job_with_hash(
                    cron_job_with_hash(a))["metadata"]["annotations"]["kubedbt.io/spec-hash"]);
  EXPECT_NE(ha, cron_job_with_hash(b)["metadata"]["annotations"]["kubedbt.io/spec-hash"]);
}

class ScheduleReconcile : public ::testing::Test {
 protected:
  ReconcileResult reconcile() { return reconcile_schedule(h.context(), "analytics", "nightly"); }

  // The CronJob the operator applies for `schedule`, spec hash included.
  Json desired_cron_job(const api::DbtSchedule& schedule) {
    return cron_job_with_hash(
        build_cron_job(schedule, testing::sample_project(), "prod", h.config));
  }

  testing::ReconcileHarness h;
};

TEST_F(ScheduleReconcile, MissingCronJobIsAppliedAndTheScheduleIsReady) {
  h.cache.put(kDbtProjects, testing::sample_project_json());
  h.cache.put(kDbtSchedules, testing::sample_schedule_json());
  auto result = reconcile();
  EXPECT_EQ(result.requeue_after,
            std::chrono::hours(13) + std::chrono::minutes(30) + std::chrono::seconds(1))
      << "at the next fire time, 02:30 in Berlin";
  ASSERT_THAT(h.client.lines(), ElementsAre("apply cronjobs analytics/nightly",
                                            "merge_patch dbtschedules/status analytics/nightly",
                                            "create events analytics/nightly."));
  EXPECT_EQ(h.client.calls()[0].body, desired_cron_job(testing::sample_schedule()));
  EXPECT_EQ(h.client.calls()[0].options,
            Json({{"fieldManager", "kubedbt-operator"}, {"force", true}}));
  EXPECT_EQ(h.client.calls()[1].body, Json::parse(R"({"status": {
    "conditions": [{"type": "Ready", "status": "True", "reason": "CronJobReady",
                    "message": "CronJob nightly is applied.", "observedGeneration": 1,
                    "lastTransitionTime": ")" + kNowText +
                                                  R"("}],
    "observedGeneration": 1, "target": "prod", "cronJobName": "nightly",
    "nextScheduleTime": "2026-11-26T01:30:00Z"}})"));
  EXPECT_EQ(h.client.calls()[2].body["reason"], "CronJobReady");
}

TEST_F(ScheduleReconcile, CronJobWithTheSameSpecHashIsNotAppliedAndAtRestNothingIsWritten) {
  h.cache.put(kDbtProjects, testing::sample_project_json());
  h.cache.put(kDbtSchedules, testing::sample_schedule_json());
  h.cache.put(kube::resources::kCronJobs, desired_cron_job(testing::sample_schedule()));
  reconcile();
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtschedules/status analytics/nightly",
                                            "create events analytics/nightly."));
  auto at_rest = testing::sample_schedule_json();
  at_rest["status"] = h.client.calls()[0].body["status"];
  h.cache.put(kDbtSchedules, at_rest);
  reconcile();
  EXPECT_EQ(h.client.calls().size(), 2u) << "a schedule at rest costs no write";
}

TEST_F(ScheduleReconcile, CronJobWithAnotherSpecHashIsApplied) {
  auto before = testing::sample_schedule();
  before.spec.schedule = "0 3 * * *";
  h.cache.put(kDbtProjects, testing::sample_project_json());
  h.cache.put(kDbtSchedules, testing::sample_schedule_json());
  h.cache.put(kube::resources::kCronJobs, desired_cron_job(before));
  reconcile();
  ASSERT_EQ(h.client.calls().front().line(), "apply cronjobs analytics/nightly");
  EXPECT_EQ(h.client.calls().front().body["spec"]["schedule"], "30 2 * * *");
}

TEST_F(ScheduleReconcile, MissingProjectIsReadyFalseAndAppliesNothing) {
  h.cache.put(kDbtSchedules, testing::sample_schedule_json());
  auto result = reconcile();
  EXPECT_FALSE(result.requeue_after) << "the project's informer event brings it back";
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtschedules/status analytics/nightly",
                                            "create events analytics/nightly."));
  EXPECT_EQ(h.client.calls()[0].body, Json::parse(R"({"status": {
    "conditions": [{"type": "Ready", "status": "False", "reason": "ProjectNotFound",
                    "message": "Waiting for DbtProject shop in namespace analytics.",
                    "observedGeneration": 1, "lastTransitionTime": ")" +
                                                  kNowText + R"("}],
    "observedGeneration": 1}})"));
  EXPECT_EQ(h.client.calls()[1].body["type"], "Warning");
  EXPECT_EQ(h.client.calls()[1].body["reason"], "ProjectNotFound");
}

// A schedule's history is its own runs, found by owner chain (DbtRun -> Job -> CronJob -> this
// schedule): a dev DbtRun labelled as the prod schedule's, Succeeded, forges nothing.
TEST_F(ScheduleReconcile, ARunLabelledAsTheSchedulesIsNotItsRun) {
  auto cron_job = desired_cron_job(testing::sample_schedule());
  cron_job["metadata"]["uid"] = "cj-uid";
  Json job = {{"metadata",
               {{"name", "nightly-29000000"},
                {"namespace", "analytics"},
                {"uid", "job-uid"},
                {"ownerReferences", Json::array({{{"kind", "CronJob"},
                                                  {"name", "nightly"},
                                                  {"uid", "cj-uid"},
                                                  {"controller", true}}})}}}};
  auto run = [](const std::string& name, const std::string& created) {
    auto r = testing::sample_run_json();
    r["metadata"]["name"] = name;
    r["metadata"]["creationTimestamp"] = created;
    r["metadata"]["labels"] = {{"kubedbt.io/schedule", "nightly"}};
    r["status"] = {{"phase", "Succeeded"}, {"completionTime", created}};
    return r;
  };
  auto real = run("nightly-29000000", "2026-11-25T01:30:00Z");
  real["metadata"]["ownerReferences"] = Json::array(
      {{{"kind", "Job"}, {"name", "nightly-29000000"}, {"uid", "job-uid"}, {"controller", true}}});
  auto forged = run("forged", "2026-11-25T09:00:00Z");
  auto forged_owner = run("forged-owner", "2026-11-25T10:00:00Z");
  forged_owner["metadata"]["ownerReferences"] = Json::array(
      {{{"kind", "Job"}, {"name", "nightly-29000000"}, {"uid", "other"}, {"controller", true}}});
  h.cache.put(kDbtProjects, testing::sample_project_json());
  h.cache.put(kDbtSchedules, testing::sample_schedule_json());
  h.cache.put(kube::resources::kCronJobs, cron_job);
  h.cache.put(kube::resources::kJobs, job);
  for (const auto& r : {real, forged, forged_owner}) h.cache.put(kDbtRuns, r);
  reconcile();
  Json status;
  for (const auto& call : h.client.calls()) {
    if (call.line() == "merge_patch dbtschedules/status analytics/nightly") {
      status = call.body["status"];
    }
  }
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["lastSuccessfulRun"]["name"], "nightly-29000000");
  EXPECT_EQ(status["lastRun"]["name"], "nightly-29000000");
  EXPECT_EQ(status["recentRuns"].size(), 1u) << status.dump();
}
}  // namespace
}  // namespace kubedbt::op
