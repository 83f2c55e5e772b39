// Child builders: names, run spec, pod template, CronJob and Job.
#include <gtest/gtest.h>

#include "operator/children/child_names.h"
#include "operator/children/pod_template.h"
#include "operator/children/run_spec_builder.h"
#include "operator/children/workload_builders.h"
#include "operator/run/schema_cleanup.h"
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

TEST(RunSpec, CarriesTheResolvedTargetAndNoSecret) {
  auto spec = build_run_spec(sample_project(), run_inputs(sample_run(), "dev"));
  EXPECT_EQ(spec["run"]["name"], "manual-1");
  EXPECT_EQ(spec["run"]["jobName"], "manual-1");
  EXPECT_EQ(spec["source"]["git"]["ref"], "abc123")
      << "the run's source ref overrides the project's";
  EXPECT_EQ(spec["target"]["host"], "db.dev");
  EXPECT_EQ(spec["target"]["passwordEnv"], "DBT_ENV_SECRET_DEV_PASSWORD");
  EXPECT_EQ(spec["commands"], Json::array({"run"}));
  EXPECT_EQ(spec["timeoutSeconds"], 570);
  EXPECT_FALSE(spec.dump().find("pg-dev") != std::string::npos);
}

TEST(RunSpec, CarriesSchemaDeferStateDeploymentAndAnomalies) {
  auto project = sample_project();
  project.spec.state.schema = "kubedbt_state";
  project.spec.anomalies = {5, 2.5, 20};
  auto run = sample_run();
  run.spec.schema = "ci_pr_7";
  run.spec.defer = api::Defer{"prod"};
  auto spec = build_run_spec(project, run_inputs(run, "dev"));
  EXPECT_EQ(spec["schema"], "ci_pr_7") << "DbtRun.spec.schema reaches the runner";
  EXPECT_EQ(spec["keepSchema"], false);
  EXPECT_EQ(spec["state"]["schema"], "kubedbt_state");
  EXPECT_EQ(spec["defer"]["to"], "prod");
  EXPECT_EQ(spec["deployment"]["strategy"], "Direct");
  EXPECT_EQ(spec["anomalies"]["rowCountFactor"], 5.0);
  EXPECT_EQ(spec["anomalies"]["durationFactor"], 2.5);
  EXPECT_EQ(spec["anomalies"]["historyRuns"], 20);
  EXPECT_FALSE(spec.contains("notifications"));

  auto schedule = sample_schedule();
  schedule.spec.deployment = {api::DeploymentStrategy::BlueGreen, false};
  auto nightly = build_run_spec(project, schedule_run_inputs(schedule, "prod"));
  EXPECT_EQ(nightly["deployment"]["strategy"], "BlueGreen");
  EXPECT_EQ(nightly["deployment"]["keepPrevious"], false);
  EXPECT_FALSE(nightly.contains("schema"));
  EXPECT_FALSE(nightly.contains("defer"));
}

api::DbtProject project_with_notifications() {
  auto project = sample_project();
  project.spec.notifications = api::dbt_project_from_json(Json::parse(R"({
    "metadata": {"name": "shop"},
    "spec": {"source": {"image": {}}, "targets": {}, "notifications": [
      {"events": ["failure", "anomaly"],
       "slack": {"webhookSecretRef": {"name": "slack-hook", "key": "url"}, "channel": "#data"}},
      {"events": ["testFailure"], "email": {"smtpSecretRef": {"name": "smtp-creds"}, "to": ["a@b.c"]}},
      {"events": ["success"], "webhook": {"urlSecretRef": {"name": "hook-secret", "key": "url"},
                                          "hmacSecretRef": {"name": "hook-secret", "key": "hmac"}}}]}
  })"))
                                   .spec.notifications;
  return project;
}

TEST(RunSpec, NotificationsNameEnvVarsNeverSecrets) {
  auto spec = build_run_spec(project_with_notifications(), run_inputs(sample_run(), "dev"));
  ASSERT_EQ(spec["notifications"].size(), 3u);
  EXPECT_EQ(spec["notifications"][0], Json::parse(R"({"events": ["failure", "anomaly"],
                            "slack": {"urlEnv": "KUBEDBT_NOTIFY_0_URL", "channel": "#data"}})"));
  EXPECT_EQ(spec["notifications"][1]["email"],
            Json::parse(R"({"smtpEnvPrefix": "KUBEDBT_NOTIFY_1_SMTP_", "to": ["a@b.c"]})"));
  EXPECT_EQ(
      spec["notifications"][2]["webhook"],
      Json::parse(R"({"urlEnv": "KUBEDBT_NOTIFY_2_URL", "hmacEnv": "KUBEDBT_NOTIFY_2_HMAC"})"));
  for (const char* secret : {"slack-hook", "smtp-creds", "hook-secret"}) {
    EXPECT_EQ(spec.dump().find(std::string("\"") + secret + "\""), std::string::npos)
        << "Secret " << secret << " must not be named in the run spec";
  }
}

TEST(PodTemplate, NotificationSecretsAreSecretKeyRefEnv) {
  auto pod = build_pod_template(project_with_notifications(), run_inputs(sample_run(), "dev"),
                                OperatorConfig{}, {});
  std::map<std::string, Json> refs;
  for (const auto& e : pod["spec"]["containers"][0]["env"]) {
    if (e.contains("valueFrom") && e["valueFrom"].contains("secretKeyRef")) {
      refs[e["name"]] = e["valueFrom"]["secretKeyRef"];
    }
  }
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_0_URL"], Json::parse(R"({"name": "slack-hook", "key": "url"})"));
  for (const char* key : {"HOST", "PORT", "FROM"}) {
    auto ref = refs[std::string("KUBEDBT_NOTIFY_1_SMTP_") + key];
    EXPECT_EQ(ref["name"], "smtp-creds");
    EXPECT_FALSE(ref.contains("optional")) << key << " is required";
  }
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_1_SMTP_USERNAME"],
            Json::parse(R"({"name": "smtp-creds", "key": "username", "optional": true})"));
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_1_SMTP_PASSWORD"]["optional"], true);
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_1_SMTP_TLS"]["key"], "tls");
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_2_URL"], Json::parse(R"({"name": "hook-secret", "key": "url"})"));
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_2_HMAC"],
            Json::parse(R"({"name": "hook-secret", "key": "hmac"})"));
}

TEST(RunSpec, UnknownTargetIsRefusedWithItsName) {
  try {
    build_run_spec(sample_project(), run_inputs(sample_run(), "staging"));
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("staging"), std::string::npos);
  }
}

TEST(RunSpec, EnvValueEscapesDollarsButKeepsTheJobNameReference) {
  auto spec = build_run_spec(sample_project(), schedule_run_inputs(sample_schedule(), "prod"));
  auto value = run_spec_env_value(spec);
  EXPECT_NE(value.find("\"name\":\"$(KUBEDBT_JOB_NAME)\""), std::string::npos) << value;
  EXPECT_NE(value.find("$$5"), std::string::npos) << "a literal $ must survive kubelet expansion";
}

TEST(Deadlines, JobGetsTheWholeTimeoutAndTheRunnerALittleLess) {
  auto d = split_timeout("1h");
  EXPECT_EQ(*d.job_active_deadline_seconds, 3600);
  EXPECT_EQ(*d.runner_timeout_seconds, 3570);
  EXPECT_LT(*d.runner_cancel_grace_seconds, *d.runner_timeout_seconds);
  auto tiny = split_timeout("2s");
  EXPECT_EQ(*tiny.job_active_deadline_seconds, 2);
  EXPECT_FALSE(tiny.runner_timeout_seconds.has_value());
  EXPECT_FALSE(split_timeout(std::nullopt).job_active_deadline_seconds.has_value());
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
  EXPECT_EQ(job["metadata"]["name"], "manual-1");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["kind"], "DbtRun");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(job["spec"]["backoffLimit"], 0);
  EXPECT_EQ(job["spec"]["activeDeadlineSeconds"], 600);
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"]["kubedbt.io/run"], "manual-1");
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

TEST(DropSchemaFinalizer, OnlyForARunWithItsOwnSchemaNotKept) {
  auto run = sample_run();
  EXPECT_FALSE(needs_drop_schema(run));
  run.spec.schema = "ci_pr_7";
  EXPECT_TRUE(needs_drop_schema(run));
  run.spec.keep_schema = true;
  EXPECT_FALSE(needs_drop_schema(run));
  EXPECT_FALSE(has_finalizer(run, kDropSchemaFinalizer));
  run.metadata.other["finalizers"] = Json::array({"other", "kubedbt.io/drop-schema"});
  EXPECT_TRUE(has_finalizer(run, kDropSchemaFinalizer));
  EXPECT_FALSE(is_being_deleted(run));
  run.metadata.other["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_TRUE(is_being_deleted(run));
  EXPECT_EQ(remove_finalizer_command(run),
            "kubectl patch dbtrun manual-1 -n analytics --type=merge -p "
            "'{\"metadata\":{\"finalizers\":null}}'");
}

}  // namespace
}  // namespace kubedbt::op
