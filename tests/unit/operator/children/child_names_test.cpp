// Child names: deterministic, and fitted to the limits of the objects they name.
#include "operator/children/child_names.h"

#include <gtest/gtest.h>

namespace kubedbt::op {
namespace {

TEST(ChildNames, AreDeterministicAndFitTheirLimits) {
  EXPECT_EQ(cron_job_name("nightly"), "nightly");
  std::string long_name(80, 'a');
  auto fitted = cron_job_name(long_name);
  EXPECT_EQ(fitted.size(), 52u);
  EXPECT_EQ(fitted, cron_job_name(long_name));
  EXPECT_NE(fitted, cron_job_name(long_name + "b"));
  EXPECT_EQ(job_name(std::string(100, 'x')).size(), 63u);
  EXPECT_EQ(password_env_name("prod-eu"), "DBT_ENV_SECRET_PROD_EU_PASSWORD");
}

TEST(ChildNames, AFittedNameNeverHasASeparatorBeforeItsHash) {
  std::string name = std::string(42, 'a') + "-" + std::string(20, 'b');
  auto fitted = fit_name(name, 52);
  EXPECT_EQ(fitted.substr(0, 43), std::string(42, 'a') + "-") << fitted;
  EXPECT_EQ(fitted.size(), 51u) << "the '-' the cut left at the end was dropped";
  EXPECT_EQ(fitted.find("--"), std::string::npos);
}

TEST(ChildNames, DropSchemaJobsAndLabelValuesKeepShortNames) {
  EXPECT_EQ(drop_schema_job_name("ci-7"), "ci-7-drop-schema");
  EXPECT_EQ(label_value("nightly"), "nightly");
  EXPECT_EQ(label_value(std::string(64, 'x')).size(), 63u);
}

}  // namespace
}  // namespace kubedbt::op
