// Start checks: which runs and schedules may start, and why the others may not.
#include "operator/core/start_checks.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

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

}  // namespace
}  // namespace kubedbt::op
