// Tests of validate(DbtProject): a valid project passes; each rule's message names the field
// and the fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "api/validation.h"

namespace kubedbt::api {
namespace {

using ::testing::HasSubstr;

DbtProject valid_project() {
  return dbt_project_from_json(Json::parse(R"({
    "metadata": {"name": "analytics"},
    "spec": {
      "source": {"git": {"url": "https://git.example.com/analytics.git", "secretRef": {"name": "git"}}},
      "targets": {
        "dev": {"host": "pg", "user": "dev", "database": "analytics", "schema": "dev"},
        "prod": {"host": "pg", "user": "dbt", "database": "analytics", "schema": "analytics",
                 "protected": true, "passwordSecretRef": {"name": "warehouse", "key": "password"}}
      },
      "defaultTarget": "prod",
      "notifications": [{"events": ["failure"], "slack": {"webhookSecretRef": {"name": "s", "key": "url"}}}]
    }
  })"));
}

struct Case {
  const char* name;
  std::function<void(DbtProject&)> mutate;
  const char* field;
  const char* message_part;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ProjectValidationTest : public ::testing::TestWithParam<Case> {};

TEST(ProjectValidation, ValidProjectHasNoErrors) {
  EXPECT_EQ(join_messages(validate(valid_project())), "");
  DbtProject image = valid_project();
  image.spec.source.git.reset();
  image.spec.source.image = ImageSource{};
  EXPECT_EQ(join_messages(validate(image)), "");
}

TEST_P(ProjectValidationTest, RefusesWithAMessageNamingTheFieldAndFix) {
  DbtProject p = valid_project();
  GetParam().mutate(p);
  FieldErrors errors = validate(p);
  ASSERT_EQ(errors.size(), 1u) << join_messages(errors);
  EXPECT_EQ(errors[0].field, GetParam().field);
  EXPECT_THAT(errors[0].message, ::testing::StartsWith(GetParam().field));
  EXPECT_THAT(errors[0].message, HasSubstr(GetParam().message_part));
}

Target& prod(DbtProject& p) { return p.spec.targets.at("prod"); }

INSTANTIATE_TEST_SUITE_P(
    Rules, ProjectValidationTest,
    ::testing::Values(
        Case{"long_name", [](DbtProject& p) { p.metadata.name = std::string(64, 'a'); },
             "metadata.name", "at most 63 characters (it is used in label values)"},
        Case{"two_sources", [](DbtProject& p) { p.spec.source.image = ImageSource{}; },
             "spec.source", "exactly one of git or image; remove one"},
        Case{"no_source", [](DbtProject& p) { p.spec.source.git.reset(); },
             "spec.source", "exactly one of git or image; add git{url} or image{path}"},
        Case{"bad_url", [](DbtProject& p) { p.spec.source.git->url = "not a url"; },
             "spec.source.git.url", "must be an https://, ssh://, git@host:path or file:// URL"},
        Case{"bad_ref", [](DbtProject& p) { p.spec.source.git->ref = "two words"; },
             "spec.source.git.ref", "without spaces"},
        Case{"url_with_token",
             [](DbtProject& p) { p.spec.source.git->url = "https://ghp_x@github.com/a/b.git"; },
             "spec.source.git.url", "must not carry credentials"},
        Case{"ssh_url_without_secret",
             [](DbtProject& p) {
               p.spec.source.git->url = "git@github.com:a/b.git";
               p.spec.source.git->secret_ref.reset();
             },
             "spec.source.git.secretRef", "ssh-known-hosts pins the server's host key"},
        Case{"ref_like_an_option",
             [](DbtProject& p) { p.spec.source.git->ref = "--upload-pack=x"; },
             "spec.source.git.ref", "must not start with '-'"},
        Case{"escaping_path", [](DbtProject& p) { p.spec.source.git->path = "../other"; },
             "spec.source.git.path", "relative folder inside the repository without '..'"},
        Case{"bad_git_secret", [](DbtProject& p) { p.spec.source.git->secret_ref->name = "Git_Token"; },
             "spec.source.git.secretRef.name", "is not a valid Secret name"},
        Case{"relative_image_path",
             [](DbtProject& p) {
               p.spec.source.git.reset();
               p.spec.source.image = ImageSource{"project"};
             },
             "spec.source.image.path", "must be an absolute folder in the runner image"},
        Case{"bad_profile", [](DbtProject& p) { p.spec.profile = "my-profile"; },
             "spec.profile", "letters, digits and '_'"},
        Case{"no_targets",
             [](DbtProject& p) {
               p.spec.targets.clear();
               p.spec.default_target.reset();
             },
             "spec.targets", "must define between 1 and 20 targets"},
        Case{"bad_target_name",
             [](DbtProject& p) { p.spec.targets["-x"] = p.spec.targets.at("dev"); },
             "spec.targets", "has a target named \"-x\""},
        Case{"missing_host", [](DbtProject& p) { prod(p).host.clear(); },
             "spec.targets.prod.host", "is required"},
        Case{"bad_port", [](DbtProject& p) { prod(p).port = 70000; },
             "spec.targets.prod.port", "between 1 and 65535"},
        Case{"missing_user", [](DbtProject& p) { prod(p).user.clear(); },
             "spec.targets.prod.user", "is required"},
        Case{"missing_database", [](DbtProject& p) { prod(p).database.clear(); },
             "spec.targets.prod.database", "is required"},
        Case{"bad_schema", [](DbtProject& p) { prod(p).schema = "1analytics"; },
             "spec.targets.prod.schema", "must be a schema name"},
        Case{"bad_threads", [](DbtProject& p) { prod(p).threads = 0; },
             "spec.targets.prod.threads", "between 1 and 64"},
        Case{"bad_password_secret", [](DbtProject& p) { prod(p).password_secret_ref->name = ""; },
             "spec.targets.prod.passwordSecretRef.name", "is required"},
        Case{"bad_password_key", [](DbtProject& p) { prod(p).password_secret_ref->key = "pass word"; },
             "spec.targets.prod.passwordSecretRef.key", "is not a valid Secret key"},
        Case{"missing_password_key", [](DbtProject& p) { prod(p).password_secret_ref->key = ""; },
             "spec.targets.prod.passwordSecretRef.key", "is required"},
        Case{"extra_not_object", [](DbtProject& p) { prod(p).extra = Json::array(); },
             "spec.targets.prod.extra", "must be an object of profile keys"},
        Case{"bad_env_name", [](DbtProject& p) { prod(p).env.push_back(EnvVar{"1X", "v", nullptr}); },
             "spec.targets.prod.env[0].name", "is not a valid variable name"},
        Case{"env_value_and_from",
             [](DbtProject& p) { prod(p).env.push_back(EnvVar{"X", "v", Json::object({{"a", 1}})}); },
             "spec.targets.prod.env[0]", "sets both value and valueFrom"},
        Case{"unknown_default", [](DbtProject& p) { p.spec.default_target = "staging"; },
             "spec.defaultTarget", "\"staging\" is not one of spec.targets (dev, prod)"},
        Case{"missing_default", [](DbtProject& p) { p.spec.default_target.reset(); },
             "spec.defaultTarget", "is required when spec.targets has more than one target"},
        Case{"bad_state_schema", [](DbtProject& p) { p.spec.state.schema = "kube-dbt"; },
             "spec.state.schema", "must be a schema name"},
        Case{"state_schema_too_long_with_a_target",
             [](DbtProject& p) { p.spec.state.schema = std::string(59, 's'); },
             "spec.state.schema", "with target \"prod\" makes the state schema"},
        Case{"short_ci_prefix", [](DbtProject& p) { p.spec.ci.schema_prefix = "c"; },
             "spec.ci.schemaPrefix", "must be 2 to 40 letters"},
        Case{"system_ci_prefix", [](DbtProject& p) { p.spec.ci.schema_prefix = "pg_"; },
             "spec.ci.schemaPrefix", "would name PostgreSQL's own schemas"},
        Case{"ci_prefix_inside_prod", [](DbtProject& p) { p.spec.ci.schema_prefix = "analytics_"; },
             "spec.ci.schemaPrefix", "starts with the schema of target \"prod\""},
        Case{"row_count_factor_one", [](DbtProject& p) { p.spec.anomalies.row_count_factor = 1; },
             "spec.anomalies.rowCountFactor", "between 1.5 and 1000000"},
        Case{"duration_factor_huge", [](DbtProject& p) { p.spec.anomalies.duration_factor = 1e7; },
             "spec.anomalies.durationFactor", "between 1.5 and 1000000"},
        Case{"history_too_short", [](DbtProject& p) { p.spec.anomalies.history_runs = 2; },
             "spec.anomalies.historyRuns", "between 3 and 1000"},
        Case{"too_many_notifications",
             [](DbtProject& p) { p.spec.notifications.resize(11, p.spec.notifications[0]); },
             "spec.notifications", "at most 10 entries"},
        Case{"two_channels",
             [](DbtProject& p) { p.spec.notifications[0].email = EmailChannel{{"smtp"}, {"a@b.c"}}; },
             "spec.notifications[0]", "exactly one of slack, email or webhook; split it"},
        Case{"no_channel", [](DbtProject& p) { p.spec.notifications[0].slack.reset(); },
             "spec.notifications[0]", "exactly one of slack, email or webhook; add one"},
        Case{"no_events", [](DbtProject& p) { p.spec.notifications[0].events.clear(); },
             "spec.notifications[0].events", "at least one event"},
        Case{"bad_slack_secret",
             [](DbtProject& p) { p.spec.notifications[0].slack->webhook_secret_ref.key = ""; },
             "spec.notifications[0].slack.webhookSecretRef.key", "is required"},
        Case{"bad_smtp_secret",
             [](DbtProject& p) {
               p.spec.notifications[0].slack.reset();
               p.spec.notifications[0].email = EmailChannel{{""}, {"a@b.c"}};
             },
             "spec.notifications[0].email.smtpSecretRef.name", "is required"},
        Case{"no_recipients",
             [](DbtProject& p) {
               p.spec.notifications[0].slack.reset();
               p.spec.notifications[0].email = EmailChannel{{"smtp"}, {}};
             },
             "spec.notifications[0].email.to", "at least one address"},
        Case{"bad_recipient",
             [](DbtProject& p) {
               p.spec.notifications[0].slack.reset();
               p.spec.notifications[0].email = EmailChannel{{"smtp"}, {"data-team"}};
             },
             "spec.notifications[0].email.to[0]", "is not an e-mail address"},
        Case{"bad_webhook_url_secret",
             [](DbtProject& p) {
               p.spec.notifications[0].slack.reset();
               p.spec.notifications[0].webhook = WebhookChannel{{"", "url"}, std::nullopt};
             },
             "spec.notifications[0].webhook.urlSecretRef.name", "is required"},
        Case{"bad_webhook_hmac_secret",
             [](DbtProject& p) {
               p.spec.notifications[0].slack.reset();
               p.spec.notifications[0].webhook = WebhookChannel{{"h", "url"}, SecretKeyRef{"h", ""}};
             },
             "spec.notifications[0].webhook.hmacSecretRef.key", "is required"},
        Case{"bad_service_account", [](DbtProject& p) { p.spec.service_account_name = "Runner"; },
             "spec.serviceAccountName", "is not a valid ServiceAccount name"},
        Case{"tolerations_not_list", [](DbtProject& p) { p.spec.tolerations = Json::object(); },
             "spec.tolerations", "must be a list of core/v1 Tolerations"},
        Case{"bad_pod_env", [](DbtProject& p) { p.spec.env.push_back(EnvVar{"A-B", "v", nullptr}); },
             "spec.env[0].name", "is not a valid variable name"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace kubedbt::api
