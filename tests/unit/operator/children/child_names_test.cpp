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

}  // namespace
}  // namespace kubedbt::op
