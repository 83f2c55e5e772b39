// Tests of validate(DbtSchedule) and validate_against_project(DbtSchedule): each message names
// the field and the fix, including what CEL cannot see (never-firing crons, unknown zones).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "api/validation.h"

namespace kubedbt::api {
namespace {

using ::testing::HasSubstr;

DbtSchedule valid_schedule() {
  return dbt_schedule_from_json(Json::parse(R"({
    "metadata": {"name": "nightly"},
    "spec": {"projectRef": {"name": "analytics"}, "target": "prod", "schedule": "0 6 * * *",
             "timeZone": "Europe/Berlin", "commands": ["source freshness", "build"],
             "timeout": "2h", "retries": {"limit": 2}}
  })"));
}

struct Case {
  const char* name;
  std::function<void(DbtSchedule&)> mutate;
  const char* field;
  const char* message_part;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ScheduleValidationTest : public ::testing::TestWithParam<Case> {};

TEST(ScheduleValidation, ValidScheduleHasNoErrors) {
  EXPECT_EQ(join_messages(validate(valid_schedule())), "");
  for (const char* expr :
       {"@daily", "*/15 * * * *", "0 0 29 2 *", "0 0 31 2 1", "0 9 * JAN-MAR mon-fri"}) {
    DbtSchedule s = valid_schedule();
    s.spec.schedule = expr;
    EXPECT_EQ(join_messages(validate(s)), "") << expr;
  }
}

TEST_P(ScheduleValidationTest, RefusesWithAMessageNamingTheFieldAndFix) {
  DbtSchedule s = valid_schedule();
  GetParam().mutate(s);
  FieldErrors errors = validate(s);
  ASSERT_EQ(errors.size(), 1u) << join_messages(errors);
  EXPECT_EQ(errors[0].field, GetParam().field);
  EXPECT_THAT(errors[0].message, ::testing::StartsWith(GetParam().field));
  EXPECT_THAT(errors[0].message, HasSubstr(GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ScheduleValidationTest,
    ::testing::Values(
        Case{"long_name", [](DbtSchedule& s) { s.metadata.name = std::string(53, 'n'); },
             "metadata.name", "at most 52 characters (its CronJob adds an 11-character suffix"},
        Case{"missing_project", [](DbtSchedule& s) { s.spec.project_ref.name.clear(); },
             "spec.projectRef.name", "is required: set it to the name of a DbtProject"},
        Case{"bad_project", [](DbtSchedule& s) { s.spec.project_ref.name = "Analytics"; },
             "spec.projectRef.name", "is not a valid DbtProject name"},
        Case{"bad_target", [](DbtSchedule& s) { s.spec.target = "prod env"; }, "spec.target",
             "is not a valid target name"},
        Case{"bad_cron_field", [](DbtSchedule& s) { s.spec.schedule = "0 25 * * *"; },
             "spec.schedule", "is invalid: the hour field \"25\" goes above 23; use 0-23"},
        Case{"cron_field_count", [](DbtSchedule& s) { s.spec.schedule = "daily at six"; },
             "spec.schedule", "has 3 fields; use five"},
        Case{"cron_tz_prefix", [](DbtSchedule& s) { s.spec.schedule = "CRON_TZ=UTC 0 6 * * *"; },
             "spec.schedule", "put the zone in timeZone"},
        Case{"cron_too_long", [](DbtSchedule& s) { s.spec.schedule = std::string(129, '*'); },
             "spec.schedule", "at most 128 characters"},
        Case{"never_fires", [](DbtSchedule& s) { s.spec.schedule = "0 0 31 2 *"; }, "spec.schedule",
             "\"0 0 31 2 *\" never fires"},
        Case{"zone_shape", [](DbtSchedule& s) { s.spec.time_zone = "GMT +1"; }, "spec.timeZone",
             "is not an IANA time zone name"},
        Case{"zone_unknown", [](DbtSchedule& s) { s.spec.time_zone = "Europe/Atlantis"; },
             "spec.timeZone", "\"Europe/Atlantis\" is not in the tz database"},
        Case{"negative_deadline", [](DbtSchedule& s) { s.spec.starting_deadline_seconds = -1; },
             "spec.startingDeadlineSeconds", "between 0 and 86400"},
        Case{"negative_success_history",
             [](DbtSchedule& s) { s.spec.successful_runs_history_limit = -1; },
             "spec.successfulRunsHistoryLimit", "between 0 and 100 (0 keeps no finished runs)"},
        Case{"large_failed_history", [](DbtSchedule& s) { s.spec.failed_runs_history_limit = 101; },
             "spec.failedRunsHistoryLimit", "between 0 and 100"},
        Case{"no_commands", [](DbtSchedule& s) { s.spec.invocation.commands.clear(); },
             "spec.commands", "between 1 and 10 dbt commands"},
        Case{"unknown_command",
             [](DbtSchedule& s) { s.spec.invocation.commands.push_back("deploy"); },
             "spec.commands[2]",
             "\"deploy\" is not a supported dbt command; use one of build, run"},
        Case{"too_many_selects",
             [](DbtSchedule& s) { s.spec.invocation.select.assign(51, "tag:x"); }, "spec.select",
             "use at most 50"},
        Case{"empty_select", [](DbtSchedule& s) { s.spec.invocation.select = {""}; },
             "spec.select[0]", "1 to 512 characters"},
        Case{"empty_exclude",
             [](DbtSchedule& s) { s.spec.invocation.exclude = {std::string(513, 'x')}; },
             "spec.exclude[0]", "1 to 512 characters"},
        Case{"selector_and_select",
             [](DbtSchedule& s) {
               s.spec.invocation.selector = "nightly";
               s.spec.invocation.select = {"tag:x"};
             },
             "spec.selector", "cannot be combined with spec.select or spec.exclude"},
        Case{"empty_selector", [](DbtSchedule& s) { s.spec.invocation.selector = ""; },
             "spec.selector", "must name a selector"},
        Case{"vars_not_object", [](DbtSchedule& s) { s.spec.invocation.vars = "x=1"; }, "spec.vars",
             "must be an object of dbt variables"},
        Case{"bad_threads", [](DbtSchedule& s) { s.spec.invocation.threads = 65; }, "spec.threads",
             "between 1 and 64"},
        Case{"timeout_shape", [](DbtSchedule& s) { s.spec.timeout = "2 hours"; }, "spec.timeout",
             "must be a duration such as 45m or 2h30m, between 1m and 168h"},
        Case{"timeout_short", [](DbtSchedule& s) { s.spec.timeout = "30s"; }, "spec.timeout",
             "between 1m and 168h"},
        Case{"timeout_long", [](DbtSchedule& s) { s.spec.timeout = "169h"; }, "spec.timeout",
             "between 1m and 168h"},
        Case{"negative_retries", [](DbtSchedule& s) { s.spec.retries.limit = -1; },
             "spec.retries.limit", "between 0 and 10 (0 disables retries)"},
        Case{"too_many_retries", [](DbtSchedule& s) { s.spec.retries.limit = 11; },
             "spec.retries.limit", "11 is out of range"},
        Case{"blue_green_with_selection",
             [](DbtSchedule& s) {
               s.spec.invocation.select = {"tag:daily"};
               s.spec.deployment.strategy = DeploymentStrategy::BlueGreen;
             },
             "spec.deployment.strategy", "BlueGreen builds every model"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(ScheduleValidation, BadZoneStillReportsTheScheduleProblem) {
  DbtSchedule s = valid_schedule();
  s.spec.time_zone = "Europe/Atlantis";
  s.spec.schedule = "0 0 30 2 *";
  FieldErrors errors = validate(s);
  ASSERT_EQ(errors.size(), 2u) << join_messages(errors);
  EXPECT_EQ(errors[0].field, "spec.timeZone");
  EXPECT_EQ(errors[1].field, "spec.schedule");
}

DbtProject project_with(std::vector<std::string> targets,
                        std::optional<std::string> default_target) {
  DbtProject p;
  p.metadata.name = "analytics";
  for (const auto& t : targets) p.spec.targets[t] = Target{};
  p.spec.default_target = std::move(default_target);
  return p;
}

TEST(ScheduleValidation, TargetMustExistInTheProject) {
  DbtSchedule s = valid_schedule();
  EXPECT_TRUE(validate_against_project(s, project_with({"dev", "prod"}, "dev")).empty());
  s.spec.target = "staging";
  FieldErrors errors = validate_against_project(s, project_with({"dev", "prod"}, "dev"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            "spec.target \"staging\" is not a target of DbtProject \"analytics\"; use one of its "
            "spec.targets");
}

TEST(ScheduleValidation, TargetIsRequiredWithoutAProjectDefault) {
  DbtSchedule s = valid_schedule();
  s.spec.target.reset();
  EXPECT_TRUE(validate_against_project(s, project_with({"dev"}, std::nullopt)).empty());
  FieldErrors errors = validate_against_project(s, project_with({"dev", "prod"}, std::nullopt));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(
      errors[0].message,
      HasSubstr(
          "spec.target is required because DbtProject \"analytics\" has no spec.defaultTarget"));
}

}  // namespace
}  // namespace kubedbt::api
