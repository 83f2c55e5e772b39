// dbt argv for commands, retry and deps.
#include "runner/dbt/dbt_command.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

using Args = std::vector<std::string>;

RunSpec spec() {
  RunSpec s;
  s.profile = "shop";
  s.target.name = "prod";
  s.select = {"tag:daily", "fct_orders+"};
  s.exclude = {"stg_payments"};
  s.vars = {{"day", "2026-01-01"}};
  s.full_refresh = true;
  return s;
}

Workspace ws() { return pod_workspace("/work"); }

TEST(DbtCommandTest, BuildCarriesSelectionVarsAndFullRefresh) {
  EXPECT_EQ(dbt_command_args("dbt", spec(), "build", ws()), (Args{"dbt",
                                                                  "--log-format",
                                                                  "json",
                                                                  "--no-use-colors",
                                                                  "build",
                                                                  "--project-dir",
                                                                  "/work/source",
                                                                  "--profiles-dir",
                                                                  "/work/profiles",
                                                                  "--profile",
                                                                  "shop",
                                                                  "--target",
                                                                  "prod",
                                                                  "--select",
                                                                  "tag:daily",
                                                                  "--select",
                                                                  "fct_orders+",
                                                                  "--exclude",
                                                                  "stg_payments",
                                                                  "--vars",
                                                                  "{\"day\":\"2026-01-01\"}",
                                                                  "--full-refresh"}));
}

TEST(DbtCommandTest, FreshnessHasTwoWordsAndNoFullRefresh) {
  auto argv = dbt_command_args("dbt", spec(), "source freshness", ws());
  EXPECT_EQ(argv[4], "source");
  EXPECT_EQ(argv[5], "freshness");
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--full-refresh"), 0);
}

TEST(DbtCommandTest, RetryAndDeps) {
  EXPECT_EQ(dbt_retry_args("/venv/bin/dbt", spec(), ws()),
            (Args{"/venv/bin/dbt", "--log-format", "json", "--no-use-colors", "retry",
                  "--project-dir", "/work/source", "--profiles-dir", "/work/profiles", "--profile",
                  "shop", "--target", "prod", "--vars", "{\"day\":\"2026-01-01\"}"}));
  EXPECT_EQ(dbt_deps_args("dbt", ws()),
            (Args{"dbt", "--log-format", "json", "--no-use-colors", "deps", "--project-dir",
                  "/work/source", "--profiles-dir", "/work/profiles"}));
}

TEST(DbtCommandTest, DeferralAddsDeferAndStateToCommandsAndRetry) {
  DeferState state = std::filesystem::path("/work/target/kubedbt-defer-state");
  for (const char* command : {"build", "run", "test", "source freshness", "docs generate"}) {
    auto argv = dbt_command_args("dbt", spec(), command, ws(), state);
    ASSERT_GE(argv.size(), 3u);
    EXPECT_EQ((Args{argv.end() - 3, argv.end()}),
              (Args{"--defer", "--state", "/work/target/kubedbt-defer-state"}))
        << command;
  }
  auto retry = dbt_retry_args("dbt", spec(), ws(), state);
  EXPECT_EQ((Args{retry.end() - 3, retry.end()}),
            (Args{"--defer", "--state", "/work/target/kubedbt-defer-state"}));
  auto plain = dbt_command_args("dbt", spec(), "build", ws());
  EXPECT_EQ(std::count(plain.begin(), plain.end(), "--defer"), 0);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), "--state"), 0);
}

}  // namespace
}  // namespace kubedbt::runner
