// Run spec parsing: defaults, every field, and errors that name the field.
#include "runner/spec/run_spec.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

nlohmann::json minimal() {
  return {{"profile", "shop"},
          {"source", {{"path", "/project"}}},
          {"target",
           {{"name", "prod"},
            {"host", "db"},
            {"user", "u"},
            {"dbname", "shop"},
            {"schema", "analytics"},
            {"passwordEnv", "DBT_ENV_SECRET_PG_PASSWORD"}}}};
}

std::string error_of(const nlohmann::json& doc) {
  try {
    parse_run_spec(doc);
  } catch (const SpecError& e) {
    return e.what();
  }
  return "no error";
}

TEST(RunSpecTest, AMinimalSpecGetsTheDefaults) {
  auto spec = parse_run_spec(minimal());
  EXPECT_EQ(spec.commands, std::vector<std::string>{"build"});
  EXPECT_EQ(spec.source.baked_path, "/project");
  EXPECT_FALSE(spec.source.git);
  EXPECT_EQ(spec.target.port, 5432);
  EXPECT_EQ(spec.target.threads, 4);
  EXPECT_EQ(spec.retries.limit, 0);
  EXPECT_EQ(spec.retries.strategy, RetrySpec::Strategy::FromFailure);
  EXPECT_FALSE(spec.timeout);
  EXPECT_EQ(spec.lock_wait, std::chrono::seconds(600));
  EXPECT_FALSE(spec.run);
}

TEST(RunSpecTest, ReadsEveryField) {
  auto doc = minimal();
  doc["run"] = {{"namespace", "data"},
                {"name", "nightly-123"},
                {"jobName", "nightly-123"},
                {"createIfMissing", true}};
  doc["source"] = {{"git",
                    {{"url", "https://git.example/shop.git"},
                     {"ref", "v2"},
                     {"path", "dbt"},
                     {"timeoutSeconds", 120}}}};
  doc["commands"] = {"source  freshness", "build"};
  doc["select"] = "tag:daily state:modified+";
  doc["exclude"] = {"fct_orders"};
  doc["vars"] = {{"day", "2026-01-01"}};
  doc["fullRefresh"] = true;
  doc["timeoutSeconds"] = 3600;
  doc["cancelGraceSeconds"] = 30;
  doc["retries"] = {
      {"limit", 2}, {"strategy", "FromStart"}, {"onTestFailure", true}, {"backoffSeconds", 5}};
  doc["lockWaitSeconds"] = 60;
  auto spec = parse_run_spec(doc);
  ASSERT_TRUE(spec.run);
  EXPECT_TRUE(spec.run->create_if_missing);
  EXPECT_EQ(spec.run->job_name, "nightly-123");
  ASSERT_TRUE(spec.source.git);
  EXPECT_EQ(spec.source.git->ref, "v2");
  EXPECT_EQ(spec.source.git->timeout, std::chrono::seconds(120));
  EXPECT_EQ(spec.commands, (std::vector<std::string>{"source freshness", "build"}));
  EXPECT_EQ(spec.select, (std::vector<std::string>{"tag:daily", "state:modified+"}));
  EXPECT_EQ(spec.exclude, std::vector<std::string>{"fct_orders"});
  EXPECT_EQ(spec.vars["day"], "2026-01-01");
  EXPECT_TRUE(spec.full_refresh);
  EXPECT_EQ(spec.timeout, std::chrono::seconds(3600));
  EXPECT_EQ(spec.retries.limit, 2);
  EXPECT_EQ(spec.retries.strategy, RetrySpec::Strategy::FromStart);
  EXPECT_TRUE(spec.retries.on_test_failure);
  EXPECT_EQ(spec.lock_wait, std::chrono::seconds(60));
}

TEST(RunSpecTest, ErrorsNameTheField) {
  EXPECT_EQ(error_of(nlohmann::json::array()), ": must be an object, got array");
  auto doc = minimal();
  doc.erase("profile");
  EXPECT_EQ(error_of(doc), "profile: is required");
  doc = minimal();
  doc["target"]["port"] = "5432";
  EXPECT_EQ(error_of(doc), "target.port: must be an integer, got string");
  doc = minimal();
  doc["target"]["port"] = 70000;
  EXPECT_EQ(error_of(doc), "target.port: must be between 1 and 65535, got 70000");
  doc = minimal();
  doc["commands"] = {"build", "drop everything"};
  EXPECT_NE(error_of(doc).find("commands[1]: \"drop everything\" is not a command"),
            std::string::npos);
  doc = minimal();
  doc["retries"] = {{"strategy", "Sometimes"}};
  EXPECT_EQ(error_of(doc), "retries.strategy: \"Sometimes\" is not one of FromFailure, FromStart");
  doc = minimal();
  doc["timeoutSeconds"] = 10;
  doc["cancelGraceSeconds"] = 10;
  EXPECT_EQ(error_of(doc), "cancelGraceSeconds: must be shorter than timeoutSeconds");
  doc = minimal();
  doc["selct"] = "x";
  EXPECT_NE(error_of(doc).find("selct: unknown field"), std::string::npos);
  doc = minimal();
  doc["source"] = {{"path", "/p"}, {"git", {{"url", "u"}}}};
  EXPECT_EQ(error_of(doc), "source: give exactly one of git or path");
  doc = minimal();
  doc["run"] = {{"namespace", "data"}, {"name", "Nightly_Run"}};
  EXPECT_EQ(error_of(doc), "run.name: \"Nightly_Run\" is not a valid Kubernetes name");
  doc = minimal();
  doc["source"] = {{"git", {{"url", "u"}, {"path", "../outside"}}}};
  EXPECT_EQ(error_of(doc), "source.git.path: must be a relative path inside the repository");
  doc = minimal();
  doc["source"] = {{"git", {{"url", "u"}, {"timeoutSeconds", 0}}}};
  EXPECT_EQ(error_of(doc), "source.git.timeoutSeconds: must be between 1 and 86400, got 0");
  doc["source"] = {{"git", {{"url", "u"}}}};
  EXPECT_EQ(parse_run_spec(doc).source.git->timeout, std::chrono::seconds(300));
}

TEST(RunSpecTest, SecretsAreRefused) {
  auto doc = minimal();
  doc["target"]["password"] = "hunter22";
  auto error = error_of(doc);
  EXPECT_NE(error.find("target.password: secret values are not accepted"), std::string::npos);
  EXPECT_EQ(error.find("hunter22"), std::string::npos);
  doc = minimal();
  doc["source"] = {{"git", {{"url", "u"}, {"token", "ghp_x"}}}};
  EXPECT_NE(error_of(doc).find("source.git.token: credentials are not accepted"),
            std::string::npos);
}

TEST(RunSpecTest, TheProductionKeysHaveTheirDefaults) {
  auto spec = parse_run_spec(minimal());
  EXPECT_FALSE(spec.schema);
  EXPECT_FALSE(spec.keep_schema);
  EXPECT_EQ(spec.state.base, "kubedbt");
  EXPECT_EQ(spec.state.schema, "kubedbt_prod") << "the target's own state schema";
  EXPECT_TRUE(spec.state.manifest_readers.empty());
  EXPECT_FALSE(spec.defer);
  EXPECT_EQ(spec.deployment.strategy, DeploymentSpec::Strategy::Direct);
  EXPECT_TRUE(spec.deployment.keep_previous);
  EXPECT_EQ(spec.anomalies.row_count_factor, 10);
  EXPECT_EQ(spec.anomalies.duration_factor, 3);
  EXPECT_EQ(spec.anomalies.history_runs, 10);
  EXPECT_TRUE(spec.notifications.empty());
}

TEST(RunSpecTest, ReadsTheStateDeferAndAnomalyKeys) {
  auto doc = minimal();
  doc["target"]["name"] = "ci";
  doc["schema"] = "pr_123";
  doc["keepSchema"] = true;
  doc["state"] = {{"schema", "kubedbt_state"}, {"manifestReaders", {"dbt_prod", "Dev User"}}};
  doc["defer"] = {{"to", "prod"}};
  doc["select"] = "state:modified+";
  doc["anomalies"] = {{"rowCountFactor", 4}, {"durationFactor", 2.5}, {"historyRuns", 20}};
  auto spec = parse_run_spec(doc);
  EXPECT_EQ(spec.schema, "pr_123");
  EXPECT_TRUE(spec.keep_schema);
  EXPECT_EQ(spec.state.schema, "kubedbt_state_ci");
  EXPECT_EQ(spec.state.schema_of("prod"), "kubedbt_state_prod") << "where the deferral reads";
  EXPECT_EQ(spec.state.manifest_readers, (std::vector<std::string>{"dbt_prod", "Dev User"}));
  ASSERT_TRUE(spec.defer);
  EXPECT_EQ(spec.defer->to, "prod");
  EXPECT_EQ(spec.anomalies.row_count_factor, 4);
  EXPECT_EQ(spec.anomalies.duration_factor, 2.5);
  EXPECT_EQ(spec.anomalies.history_runs, 20);
}

TEST(RunSpecTest, ProductionKeyErrorsNameTheField) {
  auto doc = minimal();
  doc["schema"] = "pr-123";
  EXPECT_NE(error_of(doc).find("schema: \"pr-123\" is not a schema name"), std::string::npos);
  doc = minimal();
  doc["target"]["protected"] = true;
  doc["schema"] = "pr_1";
  EXPECT_NE(error_of(doc).find("schema: target \"prod\" is protected"), std::string::npos)
      << error_of(doc);
  doc = minimal();
  doc["state"] = {{"schema", "1state"}};
  EXPECT_NE(error_of(doc).find("state.schema: \"1state\" is not a schema name"), std::string::npos);
  doc = minimal();
  doc["state"] = {{"schema", std::string(59, 's')}};
  EXPECT_NE(error_of(doc).find("state.schema: \"" + std::string(59, 's') +
                               "\" with target \"prod\" makes the state schema"),
            std::string::npos)
      << error_of(doc);
  doc = minimal();
  doc["state"] = {{"manifestReaders", {""}}};
  EXPECT_NE(error_of(doc).find("state.manifestReaders[0]: must be a non-empty string"),
            std::string::npos)
      << error_of(doc);
  doc = minimal();
  doc["state"] = {{"database", "other"}};
  EXPECT_NE(error_of(doc).find("state.database: unknown field"), std::string::npos)
      << error_of(doc);
  doc = minimal();
  doc["defer"] = nlohmann::json::object();
  EXPECT_EQ(error_of(doc), "defer.to: is required");
  doc = minimal();
  doc["defer"] = {{"to", "prod"}};
  EXPECT_NE(error_of(doc).find("defer.to: defers to the run's own target \"prod\""),
            std::string::npos);
  doc = minimal();
  doc["anomalies"] = {{"rowCountFactor", 1}};
  EXPECT_NE(error_of(doc).find("anomalies.rowCountFactor: must be between"), std::string::npos)
      << error_of(doc);
  doc = minimal();
  doc["anomalies"] = {{"historyRuns", 2}};
  EXPECT_NE(error_of(doc).find("anomalies.historyRuns: must be between 3 and 1000"),
            std::string::npos)
      << error_of(doc);
  doc = minimal();
  doc["anomalies"] = {{"durationFactor", "high"}};
  EXPECT_NE(error_of(doc).find("anomalies.durationFactor: must be a number"), std::string::npos)
      << error_of(doc);
  doc = minimal();
  doc["deployment"] = {{"strategy", "BlueGreen"}};
  doc["target"]["name"] = "ci";
  doc["defer"] = {{"to", "prod"}};
  EXPECT_NE(error_of(doc).find("deployment.strategy: BlueGreen cannot be combined with defer"),
            std::string::npos);
}

TEST(RunSpecTest, InvalidJsonIsAClearError) {
  try {
    parse_run_spec(std::string("{\"profile\": "));
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(e.field(), "run spec");
    EXPECT_NE(std::string(e.what()).find("is not valid JSON"), std::string::npos);
  }
}

}  // namespace
}  // namespace kubedbt::runner
