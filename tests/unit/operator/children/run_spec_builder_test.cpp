// Run spec builder: what the runner is told, the timeout split, and no secret in it.
#include "operator/children/run_spec_builder.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using testing::project_with_notifications;
using testing::sample_project;
using testing::sample_run;
using testing::sample_schedule;

// dbt sees only the variables the project declares for it (and its own settings), so the
// runner's git and notification secrets never reach a pull request's models.
TEST(RunSpec, DeclaresTheVariablesDbtMaySee) {
  auto json = testing::sample_project_json();
  json["spec"]["env"] = {{{"name", "API_REGION"}, {"value", "eu"}}};
  json["spec"]["targets"]["dev"]["env"] = {
      {{"name", "API_KEY"}, {"valueFrom", {{"secretKeyRef", {{"name", "k"}, {"key", "k"}}}}}}};
  auto spec = build_run_spec(api::dbt_project_from_json(json), run_inputs(sample_run(), "dev"));
  EXPECT_EQ(spec["dbtEnv"], nlohmann::json::array({"API_REGION", "API_KEY"}));
  auto plain = build_run_spec(sample_project(), run_inputs(sample_run(), "dev"));
  EXPECT_EQ(plain["dbtEnv"], nlohmann::json::array()) << "declared as none, not left undeclared";
}

TEST(RunSpec, CarriesTheResolvedTargetAndNoSecret) {
  auto spec = build_run_spec(sample_project(), run_inputs(sample_run(), "dev"));
  EXPECT_EQ(spec["run"]["name"], "manual-1");
  EXPECT_EQ(spec["run"]["jobName"], "manual-1-run");
  EXPECT_EQ(spec["run"]["uid"], sample_run().metadata.uid)
      << "the runner reports only into this DbtRun, not one created again under its name";
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

TEST(RunSpec, OtherTargetsDatabaseUsersMayReadTheRunsProductionManifest) {
  auto project = sample_project();
  project.spec.targets["dev"].user = "dbt_dev";
  project.spec.targets["staging"] = project.spec.targets["prod"];  // shares prod's user
  project.spec.targets["ci"] = project.spec.targets["dev"];        // shares dev's user
  auto nightly = build_run_spec(project, schedule_run_inputs(sample_schedule(), "prod"));
  EXPECT_EQ(nightly["state"]["manifestReaders"], Json::array({"dbt_dev"}))
      << "each user once, never the run's own";
  auto dev = build_run_spec(project, run_inputs(sample_run(), "dev"));
  EXPECT_EQ(dev["state"]["manifestReaders"], Json::array({"dbt"}));
  auto one_user = build_run_spec(sample_project(), run_inputs(sample_run(), "dev"));
  EXPECT_EQ(one_user["state"]["manifestReaders"], Json::array());
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

}  // namespace
}  // namespace kubedbt::op
