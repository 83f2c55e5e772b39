// The contract with the runner: what the operator writes, the runner's parse_run_spec accepts.
#include <gtest/gtest.h>

#include "operator/children/pod_template.h"
#include "operator/children/run_spec_builder.h"
#include "runner/spec/run_spec.h"
#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

// What the kubelet does to an env value: $(NAME) from `vars`, $$ -> $.
std::string expand(const std::string& text, const std::string& job) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 19, "$(KUBEDBT_JOB_NAME)") == 0) {
      out += job;
      i += 18;
    } else if (text.compare(i, 2, "$$") == 0) {
      out += '$';
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string env_value(const nlohmann::json& pod, const std::string& name) {
  for (const auto& e : pod["spec"]["containers"][0]["env"]) {
    if (e["name"] == name) return e.value("value", "");
  }
  return "";
}

TEST(RunSpecContract, UserRunSpecParsesWithTheRunner) {
  auto pod = build_pod_template(testing::sample_project(), run_inputs(testing::sample_run(), "dev"),
                                OperatorConfig{}, {});
  auto spec = runner::parse_run_spec(expand(env_value(pod, "KUBEDBT_RUN_SPEC"), "unused"));
  ASSERT_TRUE(spec.run.has_value());
  EXPECT_EQ(spec.run->name, "manual-1");
  EXPECT_FALSE(spec.run->create_if_missing);
  EXPECT_EQ(spec.target.name, "dev");
  EXPECT_EQ(spec.target.password_env, "DBT_ENV_SECRET_DEV_PASSWORD");
  ASSERT_TRUE(spec.source.git.has_value());
  EXPECT_EQ(spec.source.git->ref, "abc123");
  EXPECT_EQ(spec.source.git->path, "dbt");
  EXPECT_EQ(spec.commands, std::vector<std::string>{"run"});
  ASSERT_TRUE(spec.timeout.has_value());
  EXPECT_EQ(spec.timeout->count(), 570);
}

TEST(RunSpecContract, ScheduledRunSpecParsesOnceTheKubeletExpandedIt) {
  auto pod = build_pod_template(testing::sample_project(),
                                schedule_run_inputs(testing::sample_schedule(), "prod"),
                                OperatorConfig{}, {});
  auto spec =
      runner::parse_run_spec(expand(env_value(pod, "KUBEDBT_RUN_SPEC"), "nightly-29123456"));
  ASSERT_TRUE(spec.run.has_value());
  EXPECT_EQ(spec.run->name, "nightly-29123456");
  EXPECT_EQ(spec.run->job_name, "nightly-29123456");
  EXPECT_TRUE(spec.run->create_if_missing);
  EXPECT_TRUE(spec.target.is_protected);
  EXPECT_EQ(spec.vars["price"], "$5");
  EXPECT_EQ(spec.select, std::vector<std::string>{"tag:nightly"});
  EXPECT_EQ(spec.commands, (std::vector<std::string>{"seed", "build"}));
}

TEST(RunSpecContract, CiRunWithSchemaDeferAndNotificationsParsesWithTheRunner) {
  auto project = testing::sample_project();
  project.spec.targets.at("prod").host = "db.dev";  // deferral needs one database
  project.spec.notifications = api::dbt_project_from_json(nlohmann::json::parse(R"({
    "metadata": {"name": "shop"},
    "spec": {"source": {"image": {}}, "targets": {}, "notifications": [
      {"events": ["failure", "freshnessWarn"], "email": {"smtpSecretRef": {"name": "smtp"},
                                                         "to": ["a@b.c"]}},
      {"events": ["anomaly"], "webhook": {"urlSecretRef": {"name": "hook", "key": "url"}}}]}
  })"))
                                   .spec.notifications;
  auto run = testing::sample_run();
  run.spec.schema = "ci_pr_7";
  run.spec.keep_schema = true;
  run.spec.defer = api::Defer{"prod"};
  auto pod = build_pod_template(project, run_inputs(run, "dev"), OperatorConfig{}, {});
  auto spec = runner::parse_run_spec(expand(env_value(pod, "KUBEDBT_RUN_SPEC"), "unused"));
  EXPECT_EQ(spec.schema, "ci_pr_7");
  EXPECT_TRUE(spec.keep_schema);
  ASSERT_TRUE(spec.defer);
  EXPECT_EQ(spec.defer->to, "prod");
  EXPECT_EQ(spec.state.base, "kubedbt");
  EXPECT_EQ(spec.state.schema, "kubedbt_dev") << "each target keeps its state in its own schema";
  EXPECT_TRUE(spec.state.manifest_readers.empty()) << "dev and prod share one database user";
  EXPECT_DOUBLE_EQ(spec.anomalies.row_count_factor, 10);
  ASSERT_EQ(spec.notifications.size(), 2u);
  ASSERT_TRUE(spec.notifications[0].email);
  EXPECT_EQ(spec.notifications[0].email->smtp_env_prefix, "KUBEDBT_NOTIFY_0_SMTP_");
  ASSERT_TRUE(spec.notifications[1].webhook);
  EXPECT_EQ(spec.notifications[1].webhook->url_env, "KUBEDBT_NOTIFY_1_URL");
  EXPECT_EQ(spec.notifications[1].webhook->hmac_env, "");
}

TEST(RunSpecContract, BlueGreenScheduleParsesWithTheRunner) {
  auto schedule = testing::sample_schedule();
  schedule.spec.invocation.select.clear();
  schedule.spec.deployment = {api::DeploymentStrategy::BlueGreen, true};
  auto pod = build_pod_template(testing::sample_project(), schedule_run_inputs(schedule, "prod"),
                                OperatorConfig{}, {});
  auto spec = runner::parse_run_spec(expand(env_value(pod, "KUBEDBT_RUN_SPEC"), "nightly-1"));
  EXPECT_EQ(spec.deployment.strategy, runner::DeploymentSpec::Strategy::BlueGreen);
  EXPECT_TRUE(spec.deployment.keep_previous);
}

}  // namespace
}  // namespace kubedbt::op
