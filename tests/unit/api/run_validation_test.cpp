// Tests of validate(DbtRun) and validate_against_project(DbtRun), including the rule that a
// schema override never lands on a protected target.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "api/validation.h"

namespace kubedbt::api {
namespace {

using ::testing::HasSubstr;

DbtRun valid_run() {
  return dbt_run_from_json(Json::parse(R"({
    "metadata": {"name": "ci-pr-42"},
    "spec": {"projectRef": {"name": "analytics"}, "target": "dev", "select": ["state:modified+"],
             "defer": {"to": "prod"}, "schema": "ci_pr_42", "source": {"ref": "3f2c1a9"},
             "scheduleRef": {"name": "nightly"}, "timeout": "45m"}
  })"));
}

struct Case {
  const char* name;
  std::function<void(DbtRun&)> mutate;
  const char* field;
  const char* message_part;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class RunValidationTest : public ::testing::TestWithParam<Case> {};

TEST(RunValidation, ValidRunHasNoErrors) { EXPECT_EQ(join_messages(validate(valid_run())), ""); }

TEST_P(RunValidationTest, RefusesWithAMessageNamingTheFieldAndFix) {
  DbtRun r = valid_run();
  GetParam().mutate(r);
  FieldErrors errors = validate(r);
  ASSERT_EQ(errors.size(), 1u) << join_messages(errors);
  EXPECT_EQ(errors[0].field, GetParam().field);
  EXPECT_THAT(errors[0].message, ::testing::StartsWith(GetParam().field));
  EXPECT_THAT(errors[0].message, HasSubstr(GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, RunValidationTest,
    ::testing::Values(
        Case{"long_name", [](DbtRun& r) { r.metadata.name = std::string(64, 'r'); },
             "metadata.name", "at most 63 characters (it names the run's Job)"},
        Case{"missing_project", [](DbtRun& r) { r.spec.project_ref.name.clear(); },
             "spec.projectRef.name", "is required"},
        Case{"bad_target", [](DbtRun& r) { r.spec.target = "dev/1"; }, "spec.target",
             "is not a valid target name"},
        Case{"bad_schedule_ref", [](DbtRun& r) { r.spec.schedule_ref->name = "Nightly"; },
             "spec.scheduleRef.name", "is not a valid DbtSchedule name"},
        Case{"unknown_command", [](DbtRun& r) { r.spec.invocation.commands = {"run-operation"}; },
             "spec.commands[0]", "is not a supported dbt command"},
        Case{"bad_source_ref", [](DbtRun& r) { r.spec.source->ref = ""; }, "spec.source.ref",
             "1 to 255 characters without spaces"},
        Case{"bad_defer", [](DbtRun& r) { r.spec.defer->to = "pr od"; }, "spec.defer.to",
             "is not a valid target name"},
        Case{"defer_to_self", [](DbtRun& r) { r.spec.defer->to = "dev"; }, "spec.defer.to",
             "must name another target than spec.target"},
        Case{"bad_schema", [](DbtRun& r) { r.spec.schema = "ci-pr-42"; }, "spec.schema",
             "must be a schema name"},
        Case{"schema_public", [](DbtRun& r) { r.spec.schema = "PUBLIC"; }, "spec.schema",
             "is a PostgreSQL schema (public, information_schema"},
        Case{"schema_pg_catalog", [](DbtRun& r) { r.spec.schema = "pg_catalog"; }, "spec.schema",
             "is a PostgreSQL schema"},
        Case{"schema_information_schema", [](DbtRun& r) { r.spec.schema = "information_schema"; },
             "spec.schema", "is a PostgreSQL schema"},
        Case{"schema_without_target", [](DbtRun& r) { r.spec.target.reset(); }, "spec.schema",
             "needs spec.target: name the non-protected target"},
        Case{"bad_timeout", [](DbtRun& r) { r.spec.timeout = "0m"; }, "spec.timeout",
             "between 1m and 168h"},
        Case{"negative_retries", [](DbtRun& r) { r.spec.retries.limit = -3; }, "spec.retries.limit",
             "between 0 and 10"},
        Case{"keep_schema_without_schema",
             [](DbtRun& r) {
               r.spec.schema.reset();
               r.spec.keep_schema = true;
             },
             "spec.keepSchema", "only applies to a run with spec.schema"},
        Case{"blue_green_with_select",
             [](DbtRun& r) {
               r.spec.defer.reset();
               r.spec.deployment.strategy = DeploymentStrategy::BlueGreen;
             },
             "spec.deployment.strategy", "remove spec.select, exclude and selector"},
        Case{"blue_green_with_defer",
             [](DbtRun& r) {
               r.spec.invocation.select.clear();
               r.spec.deployment.strategy = DeploymentStrategy::BlueGreen;
             },
             "spec.deployment.strategy", "cannot defer"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

DbtProject project() {
  return dbt_project_from_json(Json::parse(R"({
    "metadata": {"name": "analytics"},
    "spec": {"source": {"git": {"url": "https://x/y.git"}},
             "targets": {"dev": {"host": "h", "user": "u", "database": "d", "schema": "dev"},
                         "prod": {"host": "h", "user": "u", "database": "d", "schema": "prod",
                                  "protected": true}},
             "defaultTarget": "prod"}
  })"));
}

TEST(RunValidation, AgainstProjectAcceptsAValidCiRun) {
  EXPECT_EQ(join_messages(validate_against_project(valid_run(), project())), "");
}

TEST(RunValidation, SchemaOverrideOnAProtectedTargetIsRefused) {
  DbtRun r = valid_run();
  r.spec.target = "prod";
  r.spec.defer.reset();
  FieldErrors errors = validate_against_project(r, project());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "spec.schema");
  EXPECT_EQ(errors[0].message,
            "spec.schema cannot override the schema of protected target \"prod\"; run against a "
            "non-protected target such as a dev or ci target, or drop spec.schema");
  // Through the project's default target, too.
  r.spec.target.reset();
  errors = validate_against_project(r, project());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("protected target \"prod\""));
}

// Every schema a dev run could reach that is not its own, as a careless or hostile author of a
// DbtRun would try: production's schema, one dbt derives from it, the state schema, another
// target's, any case, and a name without the project's CI prefix.
TEST(RunValidation, ASchemaOverrideMustBeANewSchemaWithTheCiPrefix) {
  struct Attempt {
    const char* schema;
    const char* message_part;
  };
  for (const Attempt& a : {
           Attempt{"prod", "must start with \"ci_\", the CI schema prefix of DbtProject"},
           Attempt{"prod", "is the schema of target \"prod\" (\"prod\")"},
           Attempt{"PROD", "is the schema of target \"prod\""},
           Attempt{"prod_reference", "is the schema of target \"prod\" (\"prod\") or one dbt"},
           Attempt{"dev", "is the schema of target \"dev\""},
           Attempt{"kubedbt", "is kubedbt's state schema (spec.state.schema"},
           Attempt{"kubedbt_old", "is kubedbt's state schema"},
           Attempt{"pr_42", "must start with \"ci_\""},
       }) {
    DbtRun r = valid_run();
    r.spec.schema = a.schema;
    auto messages = join_messages(validate_against_project(r, project()));
    EXPECT_THAT(messages, HasSubstr(a.message_part)) << a.schema;
    EXPECT_THAT(messages, HasSubstr("spec.schema")) << a.schema;
  }
}

TEST(RunValidation, TheCiPrefixIsTheProjects) {
  DbtProject p = project();
  p.spec.ci.schema_prefix = "pr_";
  DbtRun r = valid_run();
  EXPECT_THAT(join_messages(validate_against_project(r, p)),
              HasSubstr("\"ci_pr_42\" must start with \"pr_\""));
  r.spec.schema = "pr_42";
  EXPECT_EQ(join_messages(validate_against_project(r, p)), "");
  // A CI schema whose name merely contains a target's schema is its own.
  p.spec.ci.schema_prefix = "ci_";
  r.spec.schema = "ci_prod_copy";
  EXPECT_EQ(join_messages(validate_against_project(r, p)), "");
}

TEST(RunValidation, AgainstProjectNamesMissingTargets) {
  DbtRun r = valid_run();
  r.spec.target = "staging";
  r.spec.defer->to = "production";
  FieldErrors errors = validate_against_project(r, project());
  ASSERT_EQ(errors.size(), 2u) << join_messages(errors);
  EXPECT_EQ(errors[0].message,
            "spec.target \"staging\" is not a target of DbtProject \"analytics\"; use one of its "
            "spec.targets");
  EXPECT_EQ(errors[1].message,
            "spec.defer.to \"production\" is not a target of DbtProject \"analytics\"; defer to "
            "one of its spec.targets, usually the production one");
}

TEST(RunValidation, DeferNeedsTheSameDatabase) {
  DbtRun r = valid_run();
  for (auto change : std::vector<std::function<void(Target&)>>{
           [](Target& t) { t.database = "warehouse"; }, [](Target& t) { t.host = "other"; },
           [](Target& t) { t.port = 6543; }}) {
    DbtProject p = project();
    change(p.spec.targets.at("prod"));
    FieldErrors errors = validate_against_project(r, p);
    ASSERT_EQ(errors.size(), 1u) << join_messages(errors);
    EXPECT_EQ(errors[0].field, "spec.defer.to");
    EXPECT_THAT(errors[0].message, HasSubstr("spec.defer.to \"prod\""));
    EXPECT_THAT(errors[0].message, HasSubstr("PostgreSQL cannot defer across databases"));
  }
}

TEST(RunValidation, AgainstProjectNeedsATargetWhenThereIsNoDefault) {
  DbtRun r = valid_run();
  r.spec.target.reset();
  r.spec.schema.reset();
  DbtProject p = project();
  p.spec.default_target.reset();
  FieldErrors errors = validate_against_project(r, p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("spec.target is required because DbtProject"));
}

TEST(RunValidation, SourceRefNeedsAGitProject) {
  DbtProject p = project();
  p.spec.source.git.reset();
  p.spec.source.image = ImageSource{};
  FieldErrors errors = validate_against_project(valid_run(), p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message,
              HasSubstr("spec.source.ref needs a project whose spec.source is git"));
}

}  // namespace
}  // namespace kubedbt::api
