// A pull request's model tries to read every runner secret through env_var(), with the real
// runner, dbt and PostgreSQL: it gets nothing, and no secret, plain or transformed, lands in the
// warehouse, the logs, the status or the work folder. A variable the project declares still works.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

// Each runner secret the pod carries, by the variable the operator gives it.
const std::vector<std::pair<std::string, std::string>> kRunnerSecrets = {
    {"KUBEDBT_GIT_TOKEN", "ghp_gittoken7f3a9c"},
    {"KUBEDBT_GIT_SSH_KEY", "sshkey-private-5d1e"},
    {"KUBEDBT_NOTIFY_0_URL", "https://hooks.slack.example/services/T0/B0/xsecret42"},
    {"KUBEDBT_NOTIFY_1_URL", "https://hooks.example/webhook-secret-77"},
    {"KUBEDBT_NOTIFY_1_HMAC", "hmac-key-b8e2"},
    {"KUBEDBT_NOTIFY_2_SMTP_PASSWORD", "smtp-pass-4c6d"},
};

std::string reversed(std::string text) {
  std::reverse(text.begin(), text.end());
  return text;
}

TEST(DbtEnvironmentTest, AModelReadingRunnerSecretsThroughEnvVarGetsNothing) {
  TestDatabase db;
  TempDir dir;
  db.load_shop_raw_data();
  auto project = dir.path() / "shop";
  copy_shop_project(project);
  // One column per secret, plain and reversed (the scrubber could never catch that), logged too.
  std::string sql = "{{ config(materialized='table') }}\nselect\n";
  for (std::size_t i = 0; i < kRunnerSecrets.size(); ++i) {
    const auto& name = kRunnerSecrets[i].first;
    sql += "  '{{ env_var('" + name + "', 'absent') | reverse }}' as reversed_" +
           std::to_string(i) + ",\n  '{{ env_var('" + name + "', 'absent') }}' as plain_" +
           std::to_string(i) + ",\n";
    sql += "  '{{ log(env_var('" + name + "', 'absent') | reverse, info=True) }}' as logged_" +
           std::to_string(i) + ",\n";
  }
  sql += "  '{{ env_var('API_REGION', 'absent') }}' as region\n";
  write_file(project / "models/exfiltrate.sql", sql);

  auto spec = dev_spec(db, project);
  spec["select"] = "exfiltrate";
  spec["dbtEnv"] = {"API_REGION"};
  RunnerOptions options;
  for (const auto& [name, value] : kRunnerSecrets) options.env[name] = value;
  options.env["API_REGION"] = "eu";
  auto r = run_runner(spec, dir.path(), options);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto table = spec["target"]["schema"].get<std::string>() + ".exfiltrate";
  EXPECT_EQ(db.value("select region from " + table), "eu") << "a declared variable reaches dbt";
  for (std::size_t i = 0; i < kRunnerSecrets.size(); ++i) {
    const auto& [name, secret] = kRunnerSecrets[i];
    EXPECT_EQ(db.value("select plain_" + std::to_string(i) + " from " + table), "absent") << name;
    EXPECT_EQ(db.value("select reversed_" + std::to_string(i) + " from " + table), "tnesba")
        << name;
    for (const auto& form : {secret, reversed(secret)}) {
      EXPECT_EQ(r.out.find(form), std::string::npos) << name << " in the runner's output";
      EXPECT_EQ(r.err.find(form), std::string::npos) << name << " in the runner's errors";
      EXPECT_EQ(r.status.dump().find(form), std::string::npos) << name << " in the status";
      EXPECT_TRUE(files_containing(r.work_dir, form).empty()) << name << " in the work folder";
    }
  }
}

// dbt's own sessions carry keepalives on the server side too (as the runner's do), so a session of
// a pod that died is ended within minutes instead of hours.
TEST(DbtEnvironmentTest, DbtsSessionsHaveServerSideKeepalives) {
  TestDatabase db;
  TempDir dir;
  db.load_shop_raw_data();
  auto project = dir.path() / "shop";
  copy_shop_project(project);
  write_file(project / "models/session_settings.sql",
             "{{ config(materialized='table') }}\n"
             "select current_setting('tcp_keepalives_idle') as idle,\n"
             "       current_setting('tcp_user_timeout') as user_timeout\n");
  auto spec = dev_spec(db, project);
  spec["select"] = "session_settings";
  auto r = run_runner(spec, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto table = spec["target"]["schema"].get<std::string>() + ".session_settings";
  EXPECT_EQ(db.value("select idle from " + table), "30");
  EXPECT_EQ(db.value("select user_timeout from " + table), "60000");
}
}  // namespace
}  // namespace kubedbt::testing
