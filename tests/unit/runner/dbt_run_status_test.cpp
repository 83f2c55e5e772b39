// RunStatus onto the API's DbtRunStatus, and the DbtRun a CronJob's run creates.
#include "runner/dbt_run_status.h"

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

TEST(DbtRunStatusTest, ACronJobsRunIsOwnedByItsJob) {
  RunSpec spec;
  spec.project = "shop";
  spec.target.name = "prod";
  spec.commands = {"source freshness", "build"};
  spec.run = RunRef{"data", "nightly-29000000", "nightly-29000000", true};
  auto run = dbt_run_for_job(spec, "uid-123");
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
