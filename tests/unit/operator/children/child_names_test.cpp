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

// CronJob Jobs are named <cronjob>-<scheduled minutes>: a run's Job name ends in a letter, so a
// user's run never takes a scheduled Job's name, however it is named or fitted.
TEST(ChildNames, RunJobsNeverHaveTheNameOfAScheduledJob) {
  EXPECT_EQ(job_name("manual-1"), "manual-1-run");
  EXPECT_EQ(job_name("nightly-29412345"), "nightly-29412345-run");
  EXPECT_FALSE(is_schedule_job_name(job_name("nightly-29412345"), "nightly"));
  auto fitted = job_name(std::string(70, '1'));
  EXPECT_EQ(fitted.size(), 63u);
  EXPECT_EQ(fitted.substr(59), "-run");
}

TEST(ChildNames, ScheduledRunNamesAreTheCronJobNameAndDigits) {
  EXPECT_TRUE(is_schedule_job_name("nightly-29412345", "nightly"));
  EXPECT_FALSE(is_schedule_job_name("nightly-", "nightly"));
  EXPECT_FALSE(is_schedule_job_name("nightly-2941a", "nightly"));
  EXPECT_FALSE(is_schedule_job_name("nightly-eu-29412345", "nightly"));
  EXPECT_FALSE(is_schedule_job_name("nightly29412345", "nightly"));
  std::string long_schedule(60, 's');
  EXPECT_TRUE(is_schedule_job_name(cron_job_name(long_schedule) + "-29412345", long_schedule))
      << "the CronJob's fitted name is what its Jobs start with";
}

TEST(ChildNames, DropSchemaJobsAndLabelValuesKeepShortNames) {
  EXPECT_EQ(drop_schema_job_name("ci-7"), "ci-7-drop-schema");
  EXPECT_EQ(label_value("nightly"), "nightly");
  EXPECT_EQ(label_value(std::string(64, 'x')).size(), 63u);
}

}  // namespace
}  // namespace kubedbt::op
