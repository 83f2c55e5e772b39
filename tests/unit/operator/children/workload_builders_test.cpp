// Workload builders: the CronJob of a schedule, the Job of a run and the drop-schema Job.
#include "operator/children/workload_builders.h"

#include <gtest/gtest.h>

#include "operator/children/child_names.h"
#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using testing::sample_project;
using testing::sample_run;
using testing::sample_schedule;

const Json* env_named(const Json& container, const std::string& name) {
  for (const auto& e : container["env"]) {
    if (e["name"] == name) return &e;
  }
  return nullptr;
}

TEST(CronJob, CarriesEverySchedulingKnobAndTheRunnerPod) {
  OperatorConfig config;
  auto cj = build_cron_job(sample_schedule(), sample_project(), "prod", config);
  EXPECT_EQ(cj["metadata"]["name"], "nightly");
  EXPECT_EQ(cj["metadata"]["ownerReferences"][0]["kind"], "DbtSchedule");
  EXPECT_EQ(cj["metadata"]["ownerReferences"][0]["uid"], "s-uid");
  const auto& spec = cj["spec"];
  EXPECT_EQ(spec["schedule"], "30 2 * * *");
  EXPECT_EQ(spec["timeZone"], "Europe/Berlin");
  EXPECT_EQ(spec["suspend"], false);
  EXPECT_EQ(spec["concurrencyPolicy"], "Forbid");
  EXPECT_EQ(spec["startingDeadlineSeconds"], 300);
  EXPECT_EQ(spec["successfulJobsHistoryLimit"], 3);
  EXPECT_EQ(spec["failedJobsHistoryLimit"], 1);
  const auto& job = spec["jobTemplate"]["spec"];
  EXPECT_EQ(job["backoffLimit"], 0);
  EXPECT_EQ(job["activeDeadlineSeconds"], 3600);
  EXPECT_EQ(spec["jobTemplate"]["metadata"]["labels"]["kubedbt.io/schedule"], "nightly");
  const auto& pod = job["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_EQ(pod["serviceAccountName"], "kubedbt-runner");
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  const auto& c = pod["containers"][0];
  EXPECT_EQ(c["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(c["terminationMessagePolicy"], "FallbackToLogsOnError");
  EXPECT_EQ(c["image"], config.runner_image);
  EXPECT_FALSE(c.contains("command"));
  const auto* password = env_named(c, "DBT_ENV_SECRET_PROD_PASSWORD");
  ASSERT_NE(password, nullptr);
  EXPECT_EQ((*password)["valueFrom"]["secretKeyRef"]["name"], "pg-prod");
  EXPECT_EQ((*password)["valueFrom"]["secretKeyRef"]["key"], "password");
  EXPECT_EQ(env_named(c, "DBT_ENV_SECRET_DEV_PASSWORD"), nullptr) << "only the run's target";
  const auto* git = env_named(c, "KUBEDBT_GIT_TOKEN");
  ASSERT_NE(git, nullptr);
  EXPECT_EQ((*git)["valueFrom"]["secretKeyRef"]["optional"], true);
  EXPECT_EQ(c["env"][0]["name"], "KUBEDBT_JOB_NAME") << "defined before the values that use it";
  ASSERT_EQ(c["volumeMounts"].size(), 1u) << "the run's only volume is its scratch";
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"], "/var/run/kubedbt") << "scratch, not over /tmp";
  EXPECT_EQ(pod["volumes"][0]["emptyDir"], nlohmann::json::object());
  const auto* tmpdir = env_named(c, "TMPDIR");
  ASSERT_NE(tmpdir, nullptr);
  EXPECT_EQ((*tmpdir)["value"], "/var/run/kubedbt");
}

TEST(CronJob, SuspendAndCommandOverrideFollowTheirSettings) {
  auto schedule = sample_schedule();
  schedule.spec.suspend = true;
  OperatorConfig config;
  config.runner_command = {"/bin/sh", "-c", "exit 0"};
  auto cj = build_cron_job(schedule, sample_project(), "prod", config);
  EXPECT_EQ(cj["spec"]["suspend"], true);
  EXPECT_EQ(cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"],
            Json::array({"/bin/sh", "-c", "exit 0"}));
}

TEST(Job, IsNamedAfterTheRunAndOwnedByIt) {
  auto job = build_job(sample_run(), sample_project(), "dev", OperatorConfig{});
  EXPECT_EQ(job["metadata"]["name"], "manual-1-run");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["kind"], "DbtRun");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(job["spec"]["backoffLimit"], 0);
  EXPECT_EQ(job["spec"]["activeDeadlineSeconds"], 600);
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"]["kubedbt.io/run"], "manual-1");
}

// A stopped runner cancels dbt (its cancel grace), then records the run, writes its final status
// and sends the notifications of a cancelled run: the pod's grace period covers all of it.
TEST(Job, PodsGetATerminationGraceThatCoversCancelStatusAndAlerts) {
  auto job = build_job(sample_run(), sample_project(), "dev", OperatorConfig{});
  auto grace = job["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].get<int>();
  EXPECT_EQ(grace, 10 + 60) << "cancel grace 10 s (timeout 10m) + 60 s of shutdown work";
  EXPECT_GT(grace, 30) << "more than Kubernetes' default, which cuts the final status short";
}

TEST(DropSchemaJob, RunsDropSchemaWithTheRunsPodAndProtectedSchemas) {
  auto run = sample_run();
  run.spec.schema = "ci_pr_7";
  auto job = build_drop_schema_job(run, sample_project(), "dev", OperatorConfig{});
  EXPECT_EQ(job["metadata"]["name"], "manual-1-drop-schema");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["kind"], "DbtRun");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["uid"], "r-uid");
  EXPECT_EQ(job["spec"]["backoffLimit"], 2);
  const auto& container = job["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["args"],
            Json::parse(R"(["drop-schema", "--protected-schema", "analytics"])"));
  const Json* password = env_named(container, "DBT_ENV_SECRET_DEV_PASSWORD");
  ASSERT_NE(password, nullptr) << "the clean-up uses the run's credentials";
  EXPECT_EQ((*password)["valueFrom"]["secretKeyRef"]["name"], "pg-dev");
  const Json* spec = env_named(container, "KUBEDBT_RUN_SPEC");
  ASSERT_NE(spec, nullptr);
  EXPECT_NE((*spec)["value"].get<std::string>().find("\"schema\":\"ci_pr_7\""), std::string::npos);
  EXPECT_EQ(drop_schema_job_name(std::string(70, 'r')).size(), 63u);
}

}  // namespace
}  // namespace kubedbt::op
