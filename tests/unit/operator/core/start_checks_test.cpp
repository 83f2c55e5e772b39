// Start checks: which runs and schedules may start, and why the others may not.
#include "operator/core/start_checks.h"

#include <gtest/gtest.h>

#include "operator/core/kinds.h"
#include "tests/unit/operator/fixtures.h"
#include "tests/unit/operator/map_object_cache.h"

namespace kubedbt::op {
namespace {

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

using testing::project_with_ready;

TEST(StartChecks, RunWithoutATargetStartsOnTheProjectsDefault) {
  testing::MapObjectCache cache;
  cache.put(kDbtProjects, project_with_ready("True", "SpecValid", "The spec is valid."));
  auto run = testing::sample_run();
  run.spec.target.reset();
  auto decision = check_start(cache, run);
  const auto* plan = std::get_if<StartPlan>(&decision);
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->target, "dev");
  EXPECT_EQ(plan->project.metadata.uid, "p-uid");
}

TEST(StartChecks, InvalidSpecIsRefusedBeforeTheProjectIsLookedFor) {
  testing::MapObjectCache cache;
  auto run = testing::sample_run();
  run.spec.keep_schema = true;  // without spec.schema
  auto block = std::get<StartBlock>(check_start(cache, run));
  EXPECT_EQ(block.action, StartBlock::Action::kRefuse);
  EXPECT_EQ(block.reason, start_reason::kInvalidSpec);
}

TEST(StartChecks, ProtectedTargetIsRefusedBeforeTheRunWaitsForAReadyProject) {
  testing::MapObjectCache cache;
  cache.put(kDbtProjects, project_with_ready("False", "SecretNotFound", "Secret pg-dev is gone."));
  auto run = testing::sample_run();
  run.spec.target = "prod";
  auto block = std::get<StartBlock>(check_start(cache, run));
  EXPECT_EQ(block.action, StartBlock::Action::kRefuse);
  EXPECT_EQ(block.reason, start_reason::kProtectedTarget);
  run.metadata.annotations["kubedbt.io/requested-by"] = "alice";
  block = std::get<StartBlock>(check_start(cache, run));
  EXPECT_EQ(block.action, StartBlock::Action::kWait);
  EXPECT_EQ(block.reason, start_reason::kProjectNotReady);
  EXPECT_EQ(block.message, "Waiting for DbtProject shop to be Ready: Secret pg-dev is gone.");
}

TEST(StartChecks, ScheduleWaitsForItsProjectButNotForItToBeReady) {
  testing::MapObjectCache cache;
  auto block = std::get<StartBlock>(check_start(cache, testing::sample_schedule()));
  EXPECT_EQ(block.action, StartBlock::Action::kWait);
  EXPECT_EQ(block.reason, start_reason::kProjectNotFound);
  cache.put(kDbtProjects, project_with_ready("False", "SecretNotFound", "Secret pg-dev is gone."));
  auto decision = check_start(cache, testing::sample_schedule());
  const auto* plan = std::get_if<StartPlan>(&decision);
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->target, "prod");
}

}  // namespace
}  // namespace kubedbt::op
