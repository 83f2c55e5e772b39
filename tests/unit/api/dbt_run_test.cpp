// Tests of DbtRun JSON: round trip of every field, defaults, the derived progress text.
#include "api/dbt_run.h"

#include <gtest/gtest.h>

namespace kubedbt::api {
namespace {

Json full_run() {
  return Json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1",
    "kind": "DbtRun",
    "metadata": {"name": "ci-pr-42", "namespace": "data", "generation": 1,
                 "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "u"}]},
    "spec": {
      "projectRef": {"name": "analytics"},
      "target": "ci",
      "scheduleRef": {"name": "nightly"},
      "commands": ["build"],
      "select": ["state:modified+"],
      "exclude": ["tag:heavy"],
      "vars": {"ci": true},
      "fullRefresh": false,
      "threads": 4,
      "generateDocs": false,
      "source": {"ref": "3f2c1a9"},
      "defer": {"to": "prod"},
      "schema": "ci_pr_42",
      "keepSchema": true,
      "timeout": "45m",
      "retries": {"limit": 1, "strategy": "FromFailure", "onTestFailure": false},
      "deployment": {"strategy": "Direct", "keepPrevious": true}
    },
    "status": {
      "phase": "Failed",
      "conditions": [{"type": "Complete", "status": "True", "reason": "RunFinished", "message": "",
                      "observedGeneration": 1, "lastTransitionTime": "2026-03-29T04:12:00Z"},
                     {"type": "Succeeded", "status": "False", "reason": "TestsFailed",
                      "message": "2 tests failed", "observedGeneration": 1,
                      "lastTransitionTime": "2026-03-29T04:12:00Z"}],
      "observedGeneration": 1,
      "target": "ci",
      "jobName": "ci-pr-42",
      "startTime": "2026-03-29T04:00:05Z",
      "completionTime": "2026-03-29T04:12:00Z",
      "duration": "11m55s",
      "attempts": 2,
      "progress": {"done": 40, "total": 42, "text": "40/42", "current": "model.analytics.orders"},
      "summary": {"models": {"success": 38, "error": 1, "skipped": 1},
                  "tests": {"pass": 10, "fail": 2, "warn": 0, "error": 0},
                  "freshness": {"pass": 3, "warn": 0, "error": 1}, "rowsAffected": 1000},
      "failures": [{"node": "test.analytics.unique_orders_id", "message": "Got 3 results"}],
      "slowest": [{"node": "model.analytics.orders", "seconds": 312.5}],
      "commitSha": "3f2c1a9e0b",
      "dbtVersion": "1.11.2",
      "artifacts": {"database": "analytics", "schema": "kubedbt", "invocationId": "inv-1"},
      "message": "2 data tests failed: unique_orders_id, not_null_orders_customer",
      "anomalies": [{"kind": "RowCount", "node": "model.analytics.orders",
                     "message": "12 rows, median of the last 10 runs 15400"},
                    {"kind": "Duration", "message": "took 31m, median 9m"}],
      "deferral": {"to": "prod", "manifestFound": true},
      "deployment": {"swapped": false},
      "notifications": [{"index": 0, "kind": "webhook", "events": ["failure", "testFailure"],
                         "delivered": true, "attempts": 1},
                        {"index": 2, "kind": "slack", "events": ["failure"], "delivered": false,
                         "attempts": 4, "message": "HTTP 503; gave up after 4 attempts"}],
      "freshness": "Error"
    }
  })");
}

TEST(DbtRunJsonTest, EveryFieldRoundTrips) {
  Json in = full_run();
  DbtRun run = dbt_run_from_json(in);
  EXPECT_EQ(to_json(run), in);
  EXPECT_EQ(dbt_run_from_json(to_json(run)), run);
  EXPECT_EQ(run.status.phase, RunPhase::Failed);
  EXPECT_EQ(run.spec.defer->to, "prod");
  EXPECT_EQ(run.spec.source->ref, "3f2c1a9");
  EXPECT_DOUBLE_EQ(run.status.slowest[0].seconds, 312.5);
  EXPECT_EQ(run.metadata.other["ownerReferences"][0]["kind"], "Job");
  EXPECT_TRUE(run.spec.keep_schema);
  ASSERT_EQ(run.status.anomalies.size(), 2u);
  EXPECT_EQ(run.status.anomalies[0].kind, AnomalyKind::RowCount);
  EXPECT_EQ(run.status.anomalies[1].kind, AnomalyKind::Duration);
  EXPECT_FALSE(run.status.anomalies[1].node);
  EXPECT_TRUE(run.status.deferral->manifest_found);
  EXPECT_FALSE(run.status.deployment->swapped);
}

TEST(DbtRunJsonTest, FreshnessIsDerivedFromTheSummary) {
  DbtRunStatus status;
  EXPECT_FALSE(status.freshness());
  status.summary = RunSummary{};
  EXPECT_FALSE(status.freshness()) << "no source checked: no freshness";
  EXPECT_FALSE(encode(status).contains("freshness"));
  status.summary->freshness = {4, 0, 0};
  EXPECT_EQ(status.freshness(), FreshnessState::Pass);
  status.summary->freshness = {4, 1, 0};
  EXPECT_EQ(status.freshness(), FreshnessState::Warn);
  status.summary->freshness = {4, 1, 1};
  EXPECT_EQ(status.freshness(), FreshnessState::Error);
  EXPECT_EQ(encode(status)["freshness"], "Error");
  // A stale stored value is replaced by the one the counts say.
  Json j = encode(status);
  j["freshness"] = "Pass";
  DbtRunStatus back;
  decode(j, "status", back);
  EXPECT_EQ(encode(back)["freshness"], "Error");
}

TEST(DbtRunJsonTest, ProgressTextIsDerivedFromTheCounts) {
  Progress p{7, 40, std::nullopt};
  EXPECT_EQ(encode(p), Json::parse(R"({"done": 7, "total": 40, "text": "7/40"})"));
  Progress back;
  decode(Json::parse(R"({"done": 1, "total": 2, "text": "stale"})"), "status.progress", back);
  EXPECT_EQ(encode(back)["text"], "1/2");
}

TEST(DbtRunJsonTest, AppliesTheCrdDefaults) {
  DbtRun run = dbt_run_from_json(Json::parse(R"({
    "metadata": {"name": "manual-1"}, "spec": {"projectRef": {"name": "analytics"}}
  })"));
  EXPECT_EQ(run.spec.invocation.commands, std::vector<std::string>{"build"});
  EXPECT_EQ(run.spec.retries, Retries{});
  EXPECT_EQ(run.spec.deployment, Deployment{});
  EXPECT_FALSE(run.spec.keep_schema);
  EXPECT_FALSE(run.status.phase);
  EXPECT_EQ(run.status.attempts, 0);
  EXPECT_FALSE(to_json(run).contains("status"));
}

TEST(DbtRunJsonTest, FinishedPhases) {
  EXPECT_FALSE(is_finished(RunPhase::Pending));
  EXPECT_FALSE(is_finished(RunPhase::Running));
  EXPECT_TRUE(is_finished(RunPhase::Succeeded));
  EXPECT_TRUE(is_finished(RunPhase::Failed));
  EXPECT_TRUE(is_finished(RunPhase::TimedOut));
  EXPECT_TRUE(is_finished(RunPhase::Cancelled));
}

TEST(DbtRunJsonTest, WrongTypesNameTheField) {
  Json j = full_run();
  j["status"]["slowest"][0]["seconds"] = "slow";
  EXPECT_THROW(
      {
        try {
          dbt_run_from_json(j);
        } catch (const DecodeError& e) {
          EXPECT_STREQ(e.what(), "status.slowest[0].seconds: expected a number, got string");
          throw;
        }
      },
      DecodeError);
  j = full_run();
  j["status"]["anomalies"][0]["kind"] = "Rows";
  try {
    dbt_run_from_json(j);
    ADD_FAILURE() << "an unknown anomaly kind decoded";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "status.anomalies[0].kind");
  }
  j = full_run();
  j["status"]["phase"] = "Exploded";
  EXPECT_THROW(dbt_run_from_json(j), DecodeError);
  j = full_run();
  j["spec"]["commands"] = "build";
  try {
    dbt_run_from_json(j);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_STREQ(e.what(), "spec.commands: expected a list, got string");
  }
}

}  // namespace
}  // namespace kubedbt::api
