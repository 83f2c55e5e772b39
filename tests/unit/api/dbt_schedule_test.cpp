// Tests of DbtSchedule JSON: round trip of every field and the CRD defaults.
#include "api/dbt_schedule.h"

#include <gtest/gtest.h>

namespace kubedbt::api {
namespace {

Json full_schedule() {
  return Json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1",
    "kind": "DbtSchedule",
    "metadata": {"name": "nightly", "namespace": "data", "generation": 2},
    "spec": {
      "projectRef": {"name": "analytics"},
      "target": "prod",
      "schedule": "0 6 * * *",
      "timeZone": "Europe/Berlin",
      "suspend": true,
      "concurrencyPolicy": "Replace",
      "startingDeadlineSeconds": 600,
      "successfulRunsHistoryLimit": 5,
      "failedRunsHistoryLimit": 2,
      "commands": ["source freshness", "build"],
      "select": ["tag:nightly", "marts+"],
      "exclude": ["tag:slow"],
      "vars": {"run_date": "2026-01-01", "nested": {"list": [1, "two", null]}},
      "fullRefresh": true,
      "threads": 6,
      "generateDocs": true,
      "timeout": "2h30m",
      "retries": {"limit": 2, "strategy": "FromStart", "onTestFailure": true},
      "deployment": {"strategy": "BlueGreen", "keepPrevious": false}
    },
    "status": {
      "conditions": [{"type": "Ready", "status": "True", "reason": "CronJobReady", "message": "",
                      "observedGeneration": 2, "lastTransitionTime": "2026-03-01T00:00:00Z"}],
      "observedGeneration": 2,
      "target": "prod",
      "cronJobName": "nightly",
      "lastScheduleTime": "2026-03-29T04:00:00Z",
      "nextScheduleTime": "2026-03-30T04:00:00Z",
      "lastRun": {"name": "nightly-29580960", "phase": "Failed",
                  "startTime": "2026-03-29T04:00:05Z", "completionTime": "2026-03-29T04:12:00Z",
                  "duration": "11m55s",
                  "summary": {"models": {"success": 38, "error": 1, "skipped": 3},
                              "tests": {"pass": 120, "fail": 2, "warn": 1, "error": 0},
                              "freshness": {"pass": 4, "warn": 1, "error": 0},
                              "rowsAffected": 123456789012}},
      "lastSuccessfulRun": {"name": "nightly-29579520", "phase": "Succeeded",
                            "completionTime": "2026-03-28T05:10:00Z"},
      "activeRuns": ["nightly-29582400"],
      "recentRuns": [{"name": "nightly-29580960", "phase": "Failed"},
                     {"name": "nightly-29579520", "phase": "Succeeded"}],
      "freshness": "Warn"
    }
  })");
}

TEST(DbtScheduleJsonTest, EveryFieldRoundTrips) {
  Json in = full_schedule();
  DbtSchedule s = dbt_schedule_from_json(in);
  EXPECT_EQ(to_json(s), in);
  EXPECT_EQ(dbt_schedule_from_json(to_json(s)), s);
  EXPECT_EQ(s.spec.concurrency_policy, ConcurrencyPolicy::Replace);
  EXPECT_EQ(s.spec.deployment.strategy, DeploymentStrategy::BlueGreen);
  EXPECT_EQ(s.spec.retries.strategy, RetryStrategy::FromStart);
  EXPECT_EQ(s.status.last_run->summary->tests.fail, 2);
  EXPECT_EQ(s.status.last_run->summary->rows_affected, 123456789012);
  EXPECT_EQ(s.status.freshness, FreshnessState::Warn);
  EXPECT_EQ(s.spec.invocation.vars["nested"]["list"][1], "two");
}

TEST(DbtScheduleJsonTest, AppliesTheCrdDefaults) {
  DbtSchedule s = dbt_schedule_from_json(Json::parse(R"({
    "metadata": {"name": "hourly"},
    "spec": {"projectRef": {"name": "analytics"}, "schedule": "@hourly"}
  })"));
  EXPECT_EQ(s.spec.time_zone, "UTC");
  EXPECT_FALSE(s.spec.suspend);
  EXPECT_EQ(s.spec.concurrency_policy, ConcurrencyPolicy::Forbid);
  EXPECT_FALSE(s.spec.starting_deadline_seconds);
  EXPECT_EQ(s.spec.successful_runs_history_limit, 3);
  EXPECT_EQ(s.spec.failed_runs_history_limit, 1);
  EXPECT_EQ(s.spec.invocation.commands, std::vector<std::string>{"build"});
  EXPECT_FALSE(s.spec.invocation.full_refresh);
  EXPECT_FALSE(s.spec.invocation.generate_docs);
  EXPECT_FALSE(s.spec.invocation.threads);
  EXPECT_EQ(s.spec.retries.limit, 0);
  EXPECT_EQ(s.spec.retries.strategy, RetryStrategy::FromFailure);
  EXPECT_FALSE(s.spec.retries.on_test_failure);
  EXPECT_EQ(s.spec.deployment.strategy, DeploymentStrategy::Direct);
  EXPECT_TRUE(s.spec.deployment.keep_previous);
  EXPECT_FALSE(s.spec.target);

  Json out = to_json(s);
  EXPECT_EQ(out["spec"]["timeZone"], "UTC");
  EXPECT_EQ(out["spec"]["commands"], Json::array({"build"}));
  EXPECT_EQ(out["spec"]["retries"],
            Json::parse(R"({"limit":0,"strategy":"FromFailure","onTestFailure":false})"));
  EXPECT_EQ(out["spec"]["deployment"], Json::parse(R"({"strategy":"Direct","keepPrevious":true})"));
  EXPECT_FALSE(out["spec"].contains("vars"));
  EXPECT_FALSE(out["spec"].contains("select"));
}

TEST(DbtScheduleJsonTest, UnknownEnumValuesNameTheFieldAndChoices) {
  Json j = full_schedule();
  j["spec"]["concurrencyPolicy"] = "Sometimes";
  try {
    dbt_schedule_from_json(j);
    FAIL() << "decoded an unknown concurrencyPolicy";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "spec.concurrencyPolicy");
    EXPECT_STREQ(
        e.what(),
        "spec.concurrencyPolicy: unknown value \"Sometimes\"; use one of Forbid, Allow, Replace");
  }
}

}  // namespace
}  // namespace kubedbt::api
