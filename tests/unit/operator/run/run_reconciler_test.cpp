// DbtRun reconciler: the status patches it writes and the finished runs it prunes.
#include "operator/run/run_reconciler.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using testing::job_with;
using testing::kNow;

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

}  // namespace
}  // namespace kubedbt::op
