// dbt's environment: the runner's secrets never pass; dbt's own settings, system paths and the
// project's declared variables do.
#include "runner/dbt/dbt_environment.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

const Environment kPodEnvironment = {
    {"PATH", "/usr/bin"},
    {"LC_ALL", "C.UTF-8"},
    {"TZDIR", "/usr/share/kubedbt/zoneinfo"},
    {"DBT_ENV_SECRET_DEV_PASSWORD", "pw"},
    {"DBT_ENV_CUSTOM_ENV_TEAM", "data"},
    {"KUBEDBT_GIT_TOKEN", "ghp_token"},
    {"KUBEDBT_GIT_SSH_KEY", "-----BEGIN KEY-----"},
    {"KUBEDBT_NOTIFY_0_URL", "https://hooks.slack.com/services/T/B/X"},
    {"KUBEDBT_NOTIFY_1_HMAC", "hmac-key"},
    {"KUBEDBT_NOTIFY_2_SMTP_PASSWORD", "smtp-pw"},
    {"KUBEDBT_RUN_SPEC", "{}"},
    {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
    {"API_REGION", "eu"},
    {"UNDECLARED", "x"},
};

Workspace workspace() {
  Workspace ws;
  ws.target_path = "/work/target";
  ws.log_path = "/work/logs";
  return ws;
}

TEST(DbtEnvironment, TheRunnersSecretsNeverReachDbt) {
  const std::vector<std::optional<std::set<std::string>>> declarations = {
      std::nullopt, std::set<std::string>{}, std::set<std::string>{"KUBEDBT_GIT_TOKEN"}};
  for (const auto& declared : declarations) {
    auto env = dbt_environment(kPodEnvironment, workspace(), declared);
    for (const auto& [name, value] : env) {
      EXPECT_NE(name.rfind("KUBEDBT_", 0), 0u) << name << " reached dbt";
    }
  }
}

TEST(DbtEnvironment, ADeclarationLimitsDbtToItsOwnSettingsPathsAndTheDeclaredVariables) {
  auto env = dbt_environment(kPodEnvironment, workspace(), std::set<std::string>{"API_REGION"});
  EXPECT_EQ(env.at("PATH"), "/usr/bin");
  EXPECT_EQ(env.at("LC_ALL"), "C.UTF-8");
  EXPECT_EQ(env.at("TZDIR"), "/usr/share/kubedbt/zoneinfo");
  EXPECT_EQ(env.at("DBT_ENV_SECRET_DEV_PASSWORD"), "pw") << "the profile's password";
  EXPECT_EQ(env.at("DBT_ENV_CUSTOM_ENV_TEAM"), "data");
  EXPECT_EQ(env.at("API_REGION"), "eu");
  EXPECT_EQ(env.count("UNDECLARED"), 0u);
  EXPECT_EQ(env.count("KUBERNETES_SERVICE_HOST"), 0u);
  EXPECT_EQ(env.at("DBT_TARGET_PATH"), "/work/target");
  EXPECT_EQ(env.at("PYTHONUNBUFFERED"), "1");
  EXPECT_NE(env.at("PGOPTIONS").find("-c tcp_user_timeout=60000"), std::string::npos)
      << "dbt's sessions are ended by the server when the pod dies";
}

TEST(DbtEnvironment, WithoutADeclarationEverythingButTheRunnersOwnPasses) {
  auto env = dbt_environment(kPodEnvironment, workspace(), std::nullopt);
  EXPECT_EQ(env.at("UNDECLARED"), "x") << "local mode: the developer's own shell";
  EXPECT_EQ(env.count("KUBEDBT_RUN_SPEC"), 0u);
}

TEST(DbtEnvironment, DeclaringARunnerVariableDoesNotPassIt) {
  EXPECT_FALSE(dbt_may_see("KUBEDBT_GIT_TOKEN", std::set<std::string>{"KUBEDBT_GIT_TOKEN"}));
}

}  // namespace
}  // namespace kubedbt::runner
