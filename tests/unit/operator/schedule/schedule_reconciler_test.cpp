// DbtSchedule reconciler: the status summary of its runs and the CronJob's spec hash.
#include "operator/schedule/schedule_reconciler.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

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

}  // namespace
}  // namespace kubedbt::op
