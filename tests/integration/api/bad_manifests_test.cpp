// A table of bad manifests: `kubectl apply` refuses each one with a message that names the
// field (and, for kubedbt's own rules, the fix).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/api/crd_fixture.h"

namespace kubedbt::testing {
namespace {

using ::testing::HasSubstr;

const char* const kSchedule = R"(apiVersion: kubedbt.io/v1alpha1
kind: DbtSchedule
metadata:
  name: NAME
spec:
  projectRef: {name: shop}
)";

const char* const kProject = R"(apiVersion: kubedbt.io/v1alpha1
kind: DbtProject
metadata:
  name: NAME
spec:
)";

const char* const kRun = R"(apiVersion: kubedbt.io/v1alpha1
kind: DbtRun
metadata:
  name: NAME
spec:
  projectRef: {name: shop}
)";

const char* const kTargets = "  targets: {dev: {host: h, user: u, database: d, schema: s}}\n";

struct BadManifest {
  const char* name;
  const char* header;  // kSchedule, kProject or kRun; NAME is replaced by `object_name`
  std::string body;    // the rest of spec
  std::vector<std::string> expected;  // substrings of kubectl's error
  std::string object_name = "bad";
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const BadManifest& m, std::ostream* os) { *os << m.name; }

std::string manifest(const BadManifest& m) {
  std::string text = m.header;
  text.replace(text.find("NAME"), 4, m.object_name);
  return text + m.body;
}

const std::string kCronMessage =
    "must be five cron fields within range (minute 0-59, hour 0-23, day of month 1-31, month "
    "1-12 or JAN-DEC, day of week 0-6 or SUN-SAT), such as '0 6 * * *', or one of @yearly";

std::vector<BadManifest> bad_manifests() {
  return {
      // DbtSchedule
      {"cron_hour_out_of_range",
       kSchedule,
       "  schedule: '0 25 * * *'\n",
       {"spec.schedule: Invalid value: \"0 25 * * *\"", kCronMessage}},
      {"cron_four_fields", kSchedule, "  schedule: '0 6 * *'\n", {"spec.schedule", kCronMessage}},
      {"cron_day_of_week_7",
       kSchedule,
       "  schedule: '0 6 * * 7'\n",
       {"spec.schedule", kCronMessage}},
      {"cron_step_zero", kSchedule, "  schedule: '*/0 * * * *'\n", {"spec.schedule", kCronMessage}},
      {"cron_every_macro", kSchedule, "  schedule: '@every 1h'\n", {"spec.schedule", kCronMessage}},
      {"cron_words", kSchedule, "  schedule: 'daily at six'\n", {"spec.schedule", kCronMessage}},
      {"cron_tz_prefix",
       kSchedule,
       "  schedule: 'CRON_TZ=Europe/Berlin 0 6 * * *'\n",
       {"spec.schedule", "must not set TZ= or CRON_TZ=; put the zone in spec.timeZone"}},
      {"missing_schedule", kSchedule, "  timeZone: UTC\n", {"spec.schedule: Required value"}},
      {"time_zone_with_space",
       kSchedule,
       "  schedule: '@daily'\n  timeZone: 'Europe/Ber lin'\n",
       {"spec.timeZone: Invalid value: \"Europe/Ber lin\"",
        "must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC"}},
      {"time_zone_offset",
       kSchedule,
       "  schedule: '@daily'\n  timeZone: '+02:00'\n",
       {"spec.timeZone", "must be an IANA time zone name"}},
      {"time_zone_empty",
       kSchedule,
       "  schedule: '@daily'\n  timeZone: ''\n",
       {"spec.timeZone", "at least 1 chars long"}},
      {"negative_retries",
       kSchedule,
       "  schedule: '@daily'\n  retries: {limit: -1}\n",
       {"spec.retries.limit: Invalid value: -1",
        "spec.retries.limit must be between 0 and 10 (0 disables retries)"}},
      {"too_many_retries",
       kSchedule,
       "  schedule: '@daily'\n  retries: {limit: 50}\n",
       {"spec.retries.limit: Invalid value: 50", "between 0 and 10"}},
      {"unknown_retry_strategy",
       kSchedule,
       "  schedule: '@daily'\n  retries: {strategy: Twice}\n",
       {"spec.retries.strategy: Unsupported value: \"Twice\"", "\"FromFailure\", \"FromStart\""}},
      {"negative_success_history",
       kSchedule,
       "  schedule: '@daily'\n  successfulRunsHistoryLimit: -1\n",
       {"spec.successfulRunsHistoryLimit", "must be between 0 and 100 (0 keeps no finished runs)"}},
      {"negative_failed_history",
       kSchedule,
       "  schedule: '@daily'\n  failedRunsHistoryLimit: -3\n",
       {"spec.failedRunsHistoryLimit", "must be between 0 and 100"}},
      {"negative_starting_deadline",
       kSchedule,
       "  schedule: '@daily'\n  startingDeadlineSeconds: -5\n",
       {"spec.startingDeadlineSeconds", "must be between 0 and 86400"}},
      {"timeout_in_days",
       kSchedule,
       "  schedule: '@daily'\n  timeout: 2d\n",
       {"spec.timeout: Invalid value: \"2d\"",
        "must be a duration such as 45m or 2h30m, between 1m and 168h"}},
      {"timeout_too_long",
       kSchedule,
       "  schedule: '@daily'\n  timeout: 200h\n",
       {"spec.timeout", "between 1m and 168h"}},
      {"timeout_too_short",
       kSchedule,
       "  schedule: '@daily'\n  timeout: 30s\n",
       {"spec.timeout", "between 1m and 168h"}},
      {"unknown_concurrency_policy",
       kSchedule,
       "  schedule: '@daily'\n  concurrencyPolicy: Sometimes\n",
       {"spec.concurrencyPolicy: Unsupported value: \"Sometimes\"",
        "\"Forbid\", \"Allow\", \"Replace\""}},
      {"unknown_deployment_strategy",
       kSchedule,
       "  schedule: '@daily'\n  deployment: {strategy: Canary}\n",
       {"spec.deployment.strategy: Unsupported value: \"Canary\"", "\"Direct\", \"BlueGreen\""}},
      {"unknown_command",
       kSchedule,
       "  schedule: '@daily'\n  commands: [deploy]\n",
       {"spec.commands[0]: Unsupported value: \"deploy\"", "\"source freshness\""}},
      {"no_commands",
       kSchedule,
       "  schedule: '@daily'\n  commands: []\n",
       {"spec.commands", "should have at least 1 items"}},
      {"suspend_not_boolean",
       kSchedule,
       "  schedule: '@daily'\n  suspend: maybe\n",
       {"spec.suspend", "must be of type boolean"}},
      {"threads_zero",
       kSchedule,
       "  schedule: '@daily'\n  threads: 0\n",
       {"spec.threads: Invalid value: 0", "greater than or equal to 1"}},
      {"selector_with_select",
       kSchedule,
       "  schedule: '@daily'\n  selector: nightly\n  select: ['tag:x']\n",
       {"spec.selector: Forbidden",
        "cannot be combined with spec.select or spec.exclude; put the selection in the YAML "
        "selector or drop spec.selector"}},
      {"missing_project_ref",
       R"(apiVersion: kubedbt.io/v1alpha1
kind: DbtSchedule
metadata:
  name: NAME
spec:
)",
       "  schedule: '@daily'\n",
       {"spec.projectRef: Required value"}},
      {"schedule_name_over_52",
       kSchedule,
       "  schedule: '@daily'\n",
       {"metadata.name of a DbtSchedule must be at most 52 characters (its CronJob adds an "
        "11-character suffix to Job names); choose a shorter name"},
       std::string(53, 's')},
      // DbtProject
      {"two_source_kinds",
       kProject,
       std::string("  source: {image: {}, git: {url: 'https://x/y.git'}}\n") + kTargets,
       {"spec.source: Invalid value", "must set exactly one of git or image"}},
      {"no_source_kind",
       kProject,
       std::string("  source: {}\n") + kTargets,
       {"spec.source", "must set exactly one of git or image"}},
      {"default_target_not_in_targets",
       kProject,
       std::string("  source: {image: {}}\n  defaultTarget: prod\n") + kTargets,
       {"spec.defaultTarget: Invalid value", "must name one of spec.targets"}},
      {"no_default_with_two_targets",
       kProject,
       "  source: {image: {}}\n  targets:\n    dev: {host: h, user: u, database: d, schema: s}\n"
       "    prod: {host: h, user: u, database: d, schema: s}\n",
       {"spec.defaultTarget", "it may be left out only when there is exactly one target"}},
      {"no_targets",
       kProject,
       "  source: {image: {}}\n  targets: {}\n",
       {"spec.targets", "should have at least 1 properties"}},
      {"target_missing_host",
       kProject,
       "  source: {image: {}}\n  targets: {dev: {user: u, database: d, schema: s}}\n",
       {"spec.targets.dev.host: Required value"}},
      {"target_port_out_of_range",
       kProject,
       "  source: {image: {}}\n  targets: {dev: {host: h, user: u, database: d, schema: s, port: "
       "70000}}\n",
       {"spec.targets.dev.port: Invalid value: 70000", "less than or equal to 65535"}},
      {"target_port_wrong_type",
       kProject,
       "  source: {image: {}}\n  targets: {dev: {host: h, user: u, database: d, schema: s, port: "
       "'x5432'}}\n",
       {"spec.targets.dev.port", "must be of type integer"}},
      {"unknown_target_type",
       kProject,
       "  source: {image: {}}\n  targets: {dev: {type: mysql, host: h, user: u, database: d, "
       "schema: s}}\n",
       {"spec.targets.dev.type: Unsupported value: \"mysql\"", "supported values: \"postgres\""}},
      {"unknown_sslmode",
       kProject,
       "  source: {image: {}}\n  targets: {dev: {sslmode: always, host: h, user: u, database: d, "
       "schema: s}}\n",
       {"spec.targets.dev.sslmode: Unsupported value: \"always\"", "\"verify-full\""}},
      {"bad_target_schema",
       kProject,
       "  source: {image: {}}\n  targets: {dev: {host: h, user: u, database: d, schema: "
       "1-analytics}}\n",
       {"spec.targets.dev.schema", "should match"}},
      {"bad_target_name",
       kProject,
       "  source: {image: {}}\n  targets: {'dev env': {host: h, user: u, database: d, schema: "
       "s}}\n",
       {"spec.targets: Invalid value", "spec.targets names must use letters, digits, '_' or '-'"}},
      {"ftp_git_url",
       kProject,
       std::string("  source: {git: {url: 'ftp://example.com/x.git'}}\n") + kTargets,
       {"spec.source.git.url: Invalid value: \"ftp://example.com/x.git\"",
        "must be an https://, ssh://, git@host:path or file:// URL"}},
      {"git_url_with_token",
       kProject,
       std::string("  source: {git: {url: 'https://ghp_secret@github.com/acme/shop.git'}}\n") +
           kTargets,
       {"spec.source.git.url", "must not carry credentials"}},
      {"git_url_with_password",
       kProject,
       std::string("  source: {git: {url: 'ssh://git:hunter2@github.com/acme/shop.git'}}\n") +
           kTargets,
       {"spec.source.git.url", "must not carry credentials"}},
      {"git_ref_like_an_option",
       kProject,
       std::string("  source: {git: {url: 'https://x/y.git', ref: '--upload-pack=touch'}}\n") +
           kTargets,
       {"spec.source.git.ref"}},
      {"git_path_escapes",
       kProject,
       std::string("  source: {git: {url: 'https://x/y.git', path: '../secrets'}}\n") + kTargets,
       {"spec.source.git.path", "relative folder inside the repository without '..'"}},
      {"anomaly_factor_too_small",
       kProject,
       std::string("  source: {image: {}}\n") + kTargets + "  anomalies: {rowCountFactor: 1}\n",
       {"spec.anomalies.rowCountFactor: Invalid value",
        "must be a factor between 1.5 and 1000000"}},
      {"anomaly_history_too_short",
       kProject,
       std::string("  source: {image: {}}\n") + kTargets + "  anomalies: {historyRuns: 2}\n",
       {"spec.anomalies.historyRuns: Invalid value", "greater than or equal to 3"}},
      {"run_keep_schema_without_schema",
       kRun,
       "  target: dev\n  keepSchema: true\n",
       {"spec.keepSchema", "only applies to a run with spec.schema"}},
      {"run_blue_green_with_select",
       kRun,
       "  target: dev\n  select: [orders]\n  deployment: {strategy: BlueGreen}\n",
       {"spec.deployment.strategy", "BlueGreen builds every model"}},
      {"schedule_blue_green_with_select",
       kSchedule,
       "  schedule: '0 6 * * *'\n  exclude: [tag:slow]\n  deployment: {strategy: BlueGreen}\n",
       {"spec.deployment.strategy", "BlueGreen builds every model"}},
      {"notification_without_channel",
       kProject,
       std::string("  source: {image: {}}\n") + kTargets +
           "  notifications: [{events: [failure]}]\n",
       {"spec.notifications[0]", "must set exactly one of slack, email or webhook"}},
      {"unknown_notification_event",
       kProject,
       std::string("  source: {image: {}}\n") + kTargets +
           "  notifications: [{events: [always], webhook: {urlSecretRef: {name: w, key: u}}}]\n",
       {"spec.notifications[0].events[0]: Unsupported value: \"always\"", "\"testFailure\""}},
      // Why the field is not called `on`: YAML 1.1 reads a bare `on:` key as true.
      {"bare_on_key_becomes_true",
       kProject,
       std::string("  source: {image: {}}\n") + kTargets +
           "  notifications: [{on: [failure], webhook: {urlSecretRef: {name: w, key: u}}}]\n",
       {"unknown field \"spec.notifications[0].true\""}},
      {"project_name_over_63",
       kProject,
       std::string("  source: {image: {}}\n") + kTargets,
       {"metadata.name of a DbtProject must be at most 63 characters"},
       std::string(64, 'p')},
      // DbtRun
      {"run_schema_without_target",
       kRun,
       "  schema: ci_pr_1\n",
       {"spec.schema: Required value",
        "spec.schema needs spec.target: name the non-protected target whose schema this run "
        "replaces"}},
      {"run_defer_to_itself",
       kRun,
       "  target: dev\n  defer: {to: dev}\n",
       {"spec.defer.to: Invalid value", "must name another target than spec.target"}},
      {"run_bad_schema_name",
       kRun,
       "  target: dev\n  schema: ci-pr-1\n",
       {"spec.schema: Invalid value: \"ci-pr-1\"",
        "must be a schema name of letters, digits and '_'"}},
      {"run_schema_public",
       kRun,
       "  target: dev\n  schema: Public\n",
       {"spec.schema: Invalid value", "must not be a PostgreSQL schema (public"}},
      {"run_schema_pg_catalog",
       kRun,
       "  target: dev\n  schema: pg_catalog\n",
       {"spec.schema: Invalid value", "must not be a PostgreSQL schema"}},
      {"project_short_ci_prefix",
       kProject,
       std::string("  source: {image: {}}\n") + kTargets + "  ci: {schemaPrefix: c}\n",
       {"spec.ci.schemaPrefix", "should be at least 2 chars long"}},
      {"run_source_ref_with_space",
       kRun,
       "  source: {ref: 'main branch'}\n",
       {"spec.source.ref", "should match"}},
      {"run_unknown_field_type",
       kRun,
       "  fullRefresh: 'yes please'\n",
       {"spec.fullRefresh", "must be of type boolean"}},
      {"run_missing_project_ref",
       R"(apiVersion: kubedbt.io/v1alpha1
kind: DbtRun
metadata:
  name: NAME
spec:
)",
       "  target: dev\n",
       {"spec.projectRef: Required value"}},
      {"run_name_over_63",
       kRun,
       "  target: dev\n",
       {"metadata.name of a DbtRun must be at most 63 characters (it names the run's Job)"},
       std::string(64, 'r')},
  };
}

class ApiBadManifestTest : public ::testing::TestWithParam<BadManifest> {
 protected:
  static void SetUpTestSuite() { install_crds(); }
};

TEST_P(ApiBadManifestTest, KubectlApplyRefusesItNamingTheField) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "api-bad");
  const BadManifest& bad = GetParam();
  CommandResult r = apply_yaml(ns.name(), manifest(bad));
  EXPECT_NE(r.exit_code, 0) << "accepted:\n" << manifest(bad) << r.out;
  for (const std::string& part : bad.expected) {
    EXPECT_THAT(r.err, HasSubstr(part)) << manifest(bad);
  }
  // Nothing was stored.
  CommandResult listed = TestCluster::get().kubectl({"-n", ns.name(), "get", "dbt", "-o", "name"});
  EXPECT_EQ(listed.out, "");
}

INSTANTIATE_TEST_SUITE_P(Api, ApiBadManifestTest, ::testing::ValuesIn(bad_manifests()),
                         [](const ::testing::TestParamInfo<BadManifest>& info) {
                           return std::string(info.param.name);
                         });

TEST(ApiBadManifestTableTest, HasAtLeastTwentyFiveEntries) {
  EXPECT_GE(bad_manifests().size(), 25u);
}

}  // namespace
}  // namespace kubedbt::testing
