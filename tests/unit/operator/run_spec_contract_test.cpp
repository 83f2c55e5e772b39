// The contract with the runner: what the operator writes, the runner's parse_run_spec accepts.
#include <gtest/gtest.h>

#include "operator/pod_template.h"
#include "operator/run_spec_builder.h"
#include "runner/run_spec.h"
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

}  // namespace
}  // namespace kubedbt::op
