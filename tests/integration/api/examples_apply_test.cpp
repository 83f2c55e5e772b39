// The example manifests really apply, decode with the api library and pass validate(); the API
// server's defaults equal the library's, and every field the library writes survives the
// server (nothing is pruned).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/validation.h"
#include "tests/integration/api/crd_fixture.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;

class ApiExamplesApplyTest : public ::testing::Test {
 protected:
  void SetUp() override { install_crds(); }
  std::unique_ptr<kube::Client> client_ = TestCluster::get().admin_client();
  TestNamespace ns_{*client_, "api-examples"};
};

TEST_F(ApiExamplesApplyTest, EveryExampleAppliesAndValidates) {
  CommandResult applied = TestCluster::get().kubectl(
      {"-n", ns_.name(), "apply", "-f", source_path("examples/manifests")});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_THAT(applied.out, ::testing::HasSubstr("secret/shop-warehouse created"));

  api::DbtProject project = api::dbt_project_from_json(get_json(ns_.name(), "dbtproject", "shop"));
  api::DbtSchedule schedule =
      api::dbt_schedule_from_json(get_json(ns_.name(), "dbtschedule", "shop-nightly"));
  api::DbtRun run = api::dbt_run_from_json(get_json(ns_.name(), "dbtrun", "shop-ci-pr-42"));

  EXPECT_EQ(api::join_messages(api::validate(project)), "");
  EXPECT_EQ(api::join_messages(api::validate(schedule)), "");
  EXPECT_EQ(api::join_messages(api::validate(run)), "");
  EXPECT_EQ(api::join_messages(api::validate_against_project(schedule, project)), "");
  EXPECT_EQ(api::join_messages(api::validate_against_project(run, project)), "");

  // What the examples promise.
  EXPECT_TRUE(project.spec.targets.at("prod").is_protected);
  EXPECT_EQ(project.spec.targets.at("prod").password_secret_ref->name, "shop-warehouse");
  EXPECT_EQ(schedule.spec.schedule, "0 6 * * *");
  EXPECT_EQ(schedule.spec.time_zone, "Europe/Berlin");
  EXPECT_EQ(schedule.spec.invocation.commands,
            (std::vector<std::string>{"source freshness", "build"}));
  EXPECT_EQ(schedule.spec.deployment.strategy, api::DeploymentStrategy::BlueGreen);
  EXPECT_EQ(run.spec.invocation.select, std::vector<std::string>{"state:modified+"});
  EXPECT_EQ(run.spec.defer->to, "prod");

  // The Secret holds only the obviously fake example value.
  json secret = get_json(ns_.name(), "secret", "shop-warehouse");
  EXPECT_EQ(secret["data"]["password"], "ZXhhbXBsZS1wYXNzd29yZC1ub3QtYS1yZWFsLXNlY3JldA==");
}

// Applies `manifest`, then checks that the server's defaulted spec equals what the api library
// makes of the same manifest.
void expect_same_defaults(const std::string& ns, const std::string& resource, const json& manifest,
                          json (*library_round_trip)(const json&)) {
  CommandResult applied = apply_yaml(ns, manifest.dump());
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  json server = get_json(ns, resource, manifest["metadata"]["name"]);
  EXPECT_EQ(server["spec"], library_round_trip(manifest)["spec"])
      << "server: " << server["spec"].dump(2);
  EXPECT_EQ(library_round_trip(server)["spec"], server["spec"]);
}

TEST_F(ApiExamplesApplyTest, ServerDefaultsEqualLibraryDefaults) {
  expect_same_defaults(ns_.name(), "dbtproject", json::parse(R"({
        "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtProject", "metadata": {"name": "minimal"},
        "spec": {"source": {"git": {"url": "https://example.com/x.git"}},
                 "targets": {"dev": {"host": "h", "user": "u", "database": "d", "schema": "s"}},
                 "notifications": [{"webhook": {"urlSecretRef": {"name": "w", "key": "url"}}}]}
      })"),
                       [](const json& j) { return api::to_json(api::dbt_project_from_json(j)); });
  expect_same_defaults(ns_.name(), "dbtproject", json::parse(R"({
        "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtProject", "metadata": {"name": "baked"},
        "spec": {"source": {"image": {}},
                 "targets": {"dev": {"host": "h", "user": "u", "database": "d", "schema": "s"}}}
      })"),
                       [](const json& j) { return api::to_json(api::dbt_project_from_json(j)); });
  expect_same_defaults(ns_.name(), "dbtschedule", json::parse(R"({
        "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtSchedule", "metadata": {"name": "minimal"},
        "spec": {"projectRef": {"name": "minimal"}, "schedule": "@daily"}
      })"),
                       [](const json& j) { return api::to_json(api::dbt_schedule_from_json(j)); });
  expect_same_defaults(ns_.name(), "dbtrun", json::parse(R"({
        "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtRun", "metadata": {"name": "minimal"},
        "spec": {"projectRef": {"name": "minimal"}}
      })"),
                       [](const json& j) { return api::to_json(api::dbt_run_from_json(j)); });
}

// Creates `object` (spec), writes its status through the status subresource, reads it back and
// expects the library's decoding of the server object to equal its decoding of `object`.
template <class T>
void expect_survives_server(const std::string& ns, const std::string& resource, const json& object,
                            T (*from_json)(const json&)) {
  json without_status = object;
  without_status.erase("status");
  CommandResult applied = apply_yaml(ns, without_status.dump());
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const std::string name = object["metadata"]["name"];
  CommandResult patched =
      TestCluster::get().kubectl({"-n", ns, "patch", resource, name, "--subresource=status",
                                  "--type=merge", "-p", json{{"status", object["status"]}}.dump()});
  ASSERT_EQ(patched.exit_code, 0) << patched.err;
  T expected = from_json(object);
  T actual = from_json(get_json(ns, resource, name));
  // Server-owned metadata differs; everything the library models must not.
  actual.metadata = expected.metadata;
  EXPECT_TRUE(actual == expected) << "server dropped or changed a field: "
                                  << api::to_json(actual).dump() << "\nvs\n"
                                  << api::to_json(expected).dump();
}

TEST_F(ApiExamplesApplyTest, EveryLibraryFieldSurvivesTheServer) {
  expect_survives_server<api::DbtProject>(ns_.name(), "dbtproject", json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtProject", "metadata": {"name": "full"},
    "spec": {
      "source": {"git": {"url": "https://git.example.com/a.git", "ref": "main", "path": "dbt",
                         "secretRef": {"name": "git-token"}}},
      "image": "runner:1", "dbtVersion": "1.11", "profile": "analytics",
      "targets": {
        "dev": {"type": "postgres", "host": "pg", "port": 5433, "user": "dev", "database": "a",
                "schema": "dev", "threads": 2, "sslmode": "disable", "protected": false,
                "extra": {"connect_timeout": 10, "nested": {"k": [1, "two"]}},
                "env": [{"name": "A", "value": "1"}]},
        "prod": {"type": "postgres", "host": "pg", "port": 5432, "user": "dbt", "database": "a",
                 "schema": "analytics", "threads": 8, "sslmode": "verify-full", "protected": true,
                 "passwordSecretRef": {"name": "w", "key": "password"},
                 "env": [{"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}},
      "defaultTarget": "dev",
      "state": {"schema": "kubedbt_state"},
      "anomalies": {"rowCountFactor": 4.5, "durationFactor": 2, "historyRuns": 25},
      "notifications": [
        {"events": ["failure", "testFailure"], "slack": {"webhookSecretRef": {"name": "s", "key": "u"}, "channel": "#d"}},
        {"events": ["success", "freshnessWarn", "anomaly"], "email": {"smtpSecretRef": {"name": "m"}, "to": ["a@example.com"]}},
        {"events": ["failure"], "webhook": {"urlSecretRef": {"name": "h", "key": "u"}, "hmacSecretRef": {"name": "h", "key": "k"}}}],
      "serviceAccountName": "runner",
      "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": 2147483648}},
      "nodeSelector": {"pool": "batch"},
      "tolerations": [{"key": "batch", "operator": "Exists", "effect": "NoSchedule"}],
      "securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
      "env": [{"name": "TZ", "value": "UTC"}]},
    "status": {
      "conditions": [{"type": "Ready", "status": "True", "reason": "SpecValid", "message": "ok",
                      "observedGeneration": 1, "lastTransitionTime": "2026-01-01T00:05:00Z"}],
      "observedGeneration": 1,
      "targets": [{"name": "dev", "protected": false, "database": "a", "schema": "dev"}]}
  })"),
                                          &api::dbt_project_from_json);

  expect_survives_server<api::DbtSchedule>(ns_.name(), "dbtschedule", json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtSchedule", "metadata": {"name": "full"},
    "spec": {
      "projectRef": {"name": "full"}, "target": "prod", "schedule": "0 6 * * *",
      "timeZone": "Europe/Berlin", "suspend": true, "concurrencyPolicy": "Replace",
      "startingDeadlineSeconds": 600, "successfulRunsHistoryLimit": 5, "failedRunsHistoryLimit": 2,
      "commands": ["source freshness", "build"], "select": ["tag:nightly"], "exclude": ["tag:slow"],
      "vars": {"run_date": "2026-01-01", "nested": {"list": [1, "two", null]}},
      "fullRefresh": true, "threads": 6, "generateDocs": true, "timeout": "2h30m",
      "retries": {"limit": 2, "strategy": "FromStart", "onTestFailure": true},
      "deployment": {"strategy": "Direct", "keepPrevious": false}},
    "status": {
      "conditions": [{"type": "Ready", "status": "True", "reason": "CronJobReady", "message": "",
                      "observedGeneration": 1, "lastTransitionTime": "2026-03-01T00:00:00Z"}],
      "observedGeneration": 1, "target": "prod", "cronJobName": "full",
      "lastScheduleTime": "2026-03-29T04:00:00Z", "nextScheduleTime": "2026-03-30T04:00:00Z",
      "lastRun": {"name": "full-1", "phase": "Failed", "startTime": "2026-03-29T04:00:05Z",
                  "completionTime": "2026-03-29T04:12:00Z", "duration": "11m55s",
                  "summary": {"models": {"success": 38, "error": 1, "skipped": 3},
                              "tests": {"pass": 120, "fail": 2, "warn": 1, "error": 0},
                              "freshness": {"pass": 4, "warn": 1, "error": 0}, "rowsAffected": 123456789012}},
      "lastSuccessfulRun": {"name": "full-0", "phase": "Succeeded", "completionTime": "2026-03-28T05:10:00Z"},
      "activeRuns": ["full-2"],
      "recentRuns": [{"name": "full-1", "phase": "Failed"}, {"name": "full-0", "phase": "Succeeded"}],
      "freshness": "Warn"}
  })"),
                                           &api::dbt_schedule_from_json);

  expect_survives_server<api::DbtRun>(ns_.name(), "dbtrun", json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtRun", "metadata": {"name": "full"},
    "spec": {
      "projectRef": {"name": "full"}, "target": "ci", "scheduleRef": {"name": "nightly"},
      "commands": ["build"], "select": ["state:modified+"], "exclude": ["tag:heavy"],
      "vars": {"ci": true}, "fullRefresh": false, "threads": 4, "generateDocs": false,
      "source": {"ref": "3f2c1a9"}, "defer": {"to": "prod"}, "schema": "ci_pr_42",
      "keepSchema": true, "timeout": "45m",
      "retries": {"limit": 1, "strategy": "FromFailure", "onTestFailure": false},
      "deployment": {"strategy": "Direct", "keepPrevious": true}},
    "status": {
      "phase": "Failed",
      "conditions": [{"type": "Complete", "status": "True", "reason": "RunFinished", "message": "",
                      "observedGeneration": 1, "lastTransitionTime": "2026-03-29T04:12:00Z"}],
      "observedGeneration": 1, "target": "ci", "jobName": "full",
      "startTime": "2026-03-29T04:00:05Z", "completionTime": "2026-03-29T04:12:00Z",
      "duration": "11m55s", "attempts": 2,
      "progress": {"done": 40, "total": 42, "text": "40/42", "current": "model.a.orders"},
      "summary": {"models": {"success": 38, "error": 1, "skipped": 1},
                  "tests": {"pass": 10, "fail": 2, "warn": 0, "error": 0},
                  "freshness": {"pass": 2, "warn": 0, "error": 1}, "rowsAffected": 1000},
      "failures": [{"node": "test.a.unique_orders_id", "message": "Got 3 results"}],
      "slowest": [{"node": "model.a.orders", "seconds": 312.5}],
      "commitSha": "3f2c1a9e0b", "dbtVersion": "1.11.2",
      "artifacts": {"database": "a", "schema": "kubedbt", "invocationId": "inv-1"},
      "message": "2 data tests failed",
      "freshness": "Error",
      "anomalies": [{"kind": "RowCount", "node": "model.a.orders", "message": "0 rows, median 1200"},
                    {"kind": "Duration", "message": "took 31m, median 9m"}],
      "deferral": {"to": "prod", "manifestFound": false},
      "deployment": {"swapped": true, "schemas": ["analytics", "analytics_marts"],
                     "previous": ["analytics_previous", "analytics_marts_previous"]},
      "notifications": [{"index": 1, "kind": "email", "events": ["testFailure"],
                         "delivered": false, "attempts": 2, "message": "connection refused"}]}
  })"),
                                      &api::dbt_run_from_json);
}

}  // namespace
}  // namespace kubedbt::testing
