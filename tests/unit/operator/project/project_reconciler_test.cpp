// DbtProject reconciler: readiness from the spec and its Secrets, and the status it converges to.
#include "operator/project/project_reconciler.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using testing::kNow;

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

}  // namespace
}  // namespace kubedbt::op
