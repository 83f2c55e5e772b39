// The runner end to end against a real PostgreSQL and real dbt: builds, failures, retries,
// timeouts, cancellation, bad inputs and secret hygiene.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;

// Counts of a run_results.json by the same rules the summary documents (models by status, tests by
// status), straight from the artifact.
json counts_from_run_results(const json& run_results) {
  json c = {{"models", {{"success", 0}, {"error", 0}, {"skipped", 0}}},
            {"tests", {{"pass", 0}, {"fail", 0}, {"warn", 0}, {"error", 0}}}};
  for (const auto& r : run_results.at("results")) {
    auto id = r.at("unique_id").get<std::string>();
    auto status = r.at("status").get<std::string>();
    auto type = id.substr(0, id.find('.'));
    if (type == "model" && c["models"].contains(status))
      c["models"][status] = c["models"][status].get<int>() + 1;
    if (type == "test" && c["tests"].contains(status))
      c["tests"][status] = c["tests"][status].get<int>() + 1;
  }
  return c;
}

// Waits (polling) until a query matching `like` runs in `db`; returns its backend pid or 0.
int wait_for_query(const TestDatabase& db, const std::string& like, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    auto pids = db.column(
        "select pid from pg_stat_activity where datname = current_database() and pid <> "
        "pg_backend_pid() and state = 'active' and query like '" +
        like + "'");
    if (!pids.empty()) return std::stoi(pids.front());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

int running_queries(const TestDatabase& db, const std::string& like) {
  return std::stoi(db.value(
      "select count(*) from pg_stat_activity where datname = current_database() and pid <> "
      "pg_backend_pid() and query like '" +
      like + "'"));
}

// Polls until no query matching `like` is left, for at most `limit`; returns how many are left.
int queries_left_after(const TestDatabase& db, const std::string& like,
                       std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  int left = running_queries(db, like);
  while (left > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    left = running_queries(db, like);
  }
  return left;
}

class RunPipelineTest : public ::testing::Test {
 protected:
  TestDatabase db{"runner"};
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
  }
};

TEST_F(RunPipelineTest, BuildsTheExampleOnDevWithCountsEqualToRunResults) {
  auto spec = dev_spec(db, project);
  spec["commands"] = {"source freshness", "build"};
  auto r = run_runner(spec, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["phase"], "Succeeded");
  auto expected =
      counts_from_run_results(read_json_file(r.work_dir / "target" / "run_results.json"));
  EXPECT_EQ(r.status["summary"]["models"]["success"], expected["models"]["success"]);
  EXPECT_EQ(r.status["summary"]["models"]["success"], 5);
  EXPECT_EQ(r.status["summary"]["models"].value("error", 0), 0);
  EXPECT_EQ(r.status["summary"]["tests"]["pass"], expected["tests"]["pass"]);
  EXPECT_EQ(r.status["summary"]["tests"]["warn"], expected["tests"]["warn"]);
  EXPECT_EQ(r.status["summary"]["freshness"]["pass"], 3);
  EXPECT_GT(r.status["summary"]["rowsAffected"].get<int64_t>(), 0);
  EXPECT_EQ(r.status["attempts"], 2);
  EXPECT_EQ(r.status["dbtVersion"], "1.11.16");
  EXPECT_EQ(r.status["progress"]["done"], r.status["progress"]["total"]);
  // Seeds, staging views and mart tables landed in PostgreSQL; dev kept only the recent window.
  EXPECT_EQ(db.value("select count(*) from analytics_reference.countries"), "5");
  EXPECT_EQ(db.value("select count(*) from analytics.stg_orders"), "1000");
  auto dev_orders = std::stoi(db.value("select count(*) from analytics.fct_orders"));
  EXPECT_GT(dev_orders, 0);
  EXPECT_LT(dev_orders, 1000);
}

TEST_F(RunPipelineTest, AWarningTestSucceedsAndIsCounted) {
  auto r = run_runner(dev_spec(db, project), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["phase"], "Succeeded");
  EXPECT_EQ(r.status["summary"]["tests"]["warn"], 1);
  EXPECT_EQ(r.status["summary"]["tests"].value("fail", 0), 0);
  EXPECT_NE(r.status["message"].get<std::string>().find("with warnings"), std::string::npos)
      << r.status["message"];
}

TEST_F(RunPipelineTest, AFailingModelFailsNamingTheModelAndSkipsItsChildren) {
  write_file(project / "models/marts/broken_totals.sql",
             "select order_id, amount / 0 as ratio from {{ ref('fct_orders') }}\n");
  write_file(project / "models/marts/broken_child.sql",
             "select * from {{ ref('broken_totals') }}\n");
  auto r = run_runner(dev_spec(db, project), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_EQ(r.status["summary"]["models"]["error"], 1);
  EXPECT_EQ(r.status["summary"]["models"]["skipped"], 1);
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("model broken_totals failed"), std::string::npos) << message;
  EXPECT_NE(message.find("division by zero"), std::string::npos) << message;
  ASSERT_FALSE(r.status["failures"].empty());
  EXPECT_EQ(r.status["failures"][0]["node"], "model.shop.broken_totals");
  EXPECT_EQ(r.status["conditions"].size(), 2u);
}

TEST_F(RunPipelineTest, AFailingDataTestIsFinalEvenWithRetriesLeft) {
  write_file(project / "tests/assert_no_completed_orders.sql",
             "select order_id from {{ ref('fct_orders') }} where status = 'completed'\n");
  auto spec = dev_spec(db, project);
  spec["retries"] = {{"limit", 2}, {"backoffSeconds", 0}};
  auto r = run_runner(spec, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_EQ(r.status["attempts"], 1);
  EXPECT_EQ(r.status["summary"]["tests"]["fail"], 1);
  // build skips the children of a model whose test failed: dim_customers.
  EXPECT_EQ(r.status["summary"]["models"]["success"], 4);
  EXPECT_EQ(r.status["summary"]["models"]["skipped"], 1);
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("1 data test failed: assert_no_completed_orders"), std::string::npos)
      << message;
}

TEST_F(RunPipelineTest, AStaleSourceFailsFreshnessAndAWarnAgedOneDoesNot) {
  db.execute("update raw.orders set _loaded_at = now() - interval '30 hours'");
  db.execute("update raw.payments set _loaded_at = now() - interval '13 hours'");
  auto spec = dev_spec(db, project);
  spec["commands"] = {"source freshness", "build"};
  auto r = run_runner(spec, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_EQ(r.status["summary"]["freshness"]["error"], 1);
  EXPECT_EQ(r.status["summary"]["freshness"]["warn"], 1);
  EXPECT_EQ(r.status["summary"]["freshness"]["pass"], 1);
  EXPECT_EQ(r.status["summary"]["models"].value("success", 0), 0);  // build never ran
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("source raw.orders is stale: last loaded 30h ago"), std::string::npos)
      << message;
  EXPECT_FALSE(db.schema_exists("analytics"));
}

TEST_F(RunPipelineTest, ATerminatedConnectionIsRetriedFromTheFailureOnly) {
  write_file(project / "models/marts/slow_orders.sql",
             "with nap as (select pg_sleep(4) as slept)\n"
             "select o.* from {{ ref('stg_orders') }} o cross join nap\n");
  write_file(project / "models/marts/slow_orders_daily.sql",
             "select ordered_at::date as day, count(*) as orders from {{ ref('slow_orders') }} "
             "group by 1\n");
  auto spec = dev_spec(db, project);
  spec["retries"] = {{"limit", 2}, {"backoffSeconds", 1}};
  std::atomic<bool> terminated{false};
  std::thread killer([&] {
    int pid = wait_for_query(db, "%pg_sleep(4)%", std::chrono::seconds(120));
    if (pid == 0) return;
    db.execute("select pg_terminate_backend(" + std::to_string(pid) + ")");
    terminated = true;
  });
  auto r = run_runner(spec, dir.path());
  killer.join();
  ASSERT_TRUE(terminated) << "the slow model's query never showed up\n" << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["phase"], "Succeeded");
  EXPECT_EQ(r.status["attempts"], 2);

  auto first = read_json_file(r.work_dir / "artifacts" / "01-build-run_results.json");
  auto retry = read_json_file(r.work_dir / "artifacts" / "02-retry-run_results.json");
  std::set<std::string> succeeded_first, redo_first;
  for (const auto& n : first["results"]) {
    auto id = n["unique_id"].get<std::string>();
    auto status = n["status"].get<std::string>();
    (status == "error" || status == "skipped" ? redo_first : succeeded_first).insert(id);
  }
  ASSERT_TRUE(redo_first.count("model.shop.slow_orders"));
  ASSERT_TRUE(redo_first.count("model.shop.slow_orders_daily"));
  std::set<std::string> retried;
  for (const auto& n : retry["results"]) {
    auto id = n["unique_id"].get<std::string>();
    retried.insert(id);
    EXPECT_FALSE(succeeded_first.count(id)) << id << " succeeded before and ran again";
    EXPECT_TRUE(redo_first.count(id)) << id << " was not a failed or skipped node";
  }
  EXPECT_TRUE(retried.count("model.shop.slow_orders"));
  EXPECT_TRUE(retried.count("model.shop.slow_orders_daily"));
  EXPECT_GT(succeeded_first.size(), 10u);
  // The final summary holds every node once: 7 models built.
  EXPECT_EQ(r.status["summary"]["models"]["success"], 7);
  EXPECT_EQ(db.value("select count(*) from analytics.slow_orders"), "1000");
}

TEST_F(RunPipelineTest, ATimeoutInterruptsDbtAndThePostgresQueryIsGone) {
  write_file(project / "models/marts/sleepy.sql",
             "with nap as (select pg_sleep(600) as slept)\n"
             "select o.* from {{ ref('stg_orders') }} o cross join nap\n");
  auto spec = dev_spec(db, project);
  spec["timeoutSeconds"] = 30;
  spec["cancelGraceSeconds"] = 8;
  std::atomic<bool> sleeping{false};
  std::thread watcher(
      [&] { sleeping = wait_for_query(db, "%pg_sleep(600)%", std::chrono::seconds(60)) != 0; });
  auto r = run_runner(spec, dir.path());
  watcher.join();
  ASSERT_TRUE(sleeping) << "the sleeping model never reached PostgreSQL\n" << r.err;
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.status["phase"], "TimedOut");
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("Timed out after 30s while running sleepy"), std::string::npos) << message;
  EXPECT_EQ(queries_left_after(db, "%pg_sleep(600)%", std::chrono::seconds(5)), 0);
}

TEST_F(RunPipelineTest, SigtermCancelsTheRunAndItsQueries) {
  write_file(project / "models/marts/sleepy.sql",
             "with nap as (select pg_sleep(600) as slept)\n"
             "select o.* from {{ ref('stg_orders') }} o cross join nap\n");
  RunnerOptions options;
  // SIGTERM once the sleep has run for two seconds, when the fast nodes beside it are done.
  options.stop_when = [&] {
    return db.value(
               "select count(*) from pg_stat_activity where datname = current_database() "
               "and query like '%pg_sleep(600)%' and pid <> pg_backend_pid() "
               "and query_start < now() - interval '2 seconds'") != "0";
  };
  auto r = run_runner(dev_spec(db, project), dir.path(), options);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.status["phase"], "Cancelled");
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("Cancelled by SIGTERM while running sleepy"), std::string::npos)
      << message;
  EXPECT_EQ(queries_left_after(db, "%pg_sleep(600)%", std::chrono::seconds(5)), 0);
}

TEST_F(RunPipelineTest, AWrongPasswordFailsClearlyAndWritesNothing) {
  RunnerOptions options;
  options.with_password = false;
  options.env[kPasswordEnv] = "not-the-password";
  auto r = run_runner(dev_spec(db, project), dir.path(), options);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.status["phase"], "Failed");
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_EQ(message.find("not-the-password"), std::string::npos);
  EXPECT_FALSE(db.schema_exists("analytics"));
}

TEST_F(RunPipelineTest, AnUnreachableHostFailsClearly) {
  auto spec = dev_spec(db, project);
  spec["target"]["port"] = closed_loopback_port();
  auto r = run_runner(spec, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.status["phase"], "Failed");
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("cannot connect to target \"dev\""), std::string::npos) << message;
  EXPECT_NE(message.find("Connection refused"), std::string::npos) << message;
  EXPECT_FALSE(db.schema_exists("analytics"));
}

TEST_F(RunPipelineTest, AMissingPasswordVariableIsNamed) {
  RunnerOptions options;
  options.with_password = false;
  options.unset = {kPasswordEnv};
  auto r = run_runner(dev_spec(db, project), dir.path(), options);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_EQ(r.status["message"],
            "the password of target \"dev\" is expected in $DBT_ENV_SECRET_PG_PASSWORD, which is "
            "not set");
  EXPECT_FALSE(db.schema_exists("analytics"));
}

TEST_F(RunPipelineTest, AMissingProjectFailsClearly) {
  auto r = run_runner(dev_spec(db, dir.path() / "nowhere"), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_NE(r.status["message"].get<std::string>().find("no dbt project at"), std::string::npos)
      << r.status["message"];
  EXPECT_FALSE(db.schema_exists("analytics"));
}

TEST_F(RunPipelineTest, AMalformedRunSpecNamesTheFieldAndRunsNothing) {
  auto spec = dev_spec(db, project);
  spec["target"]["port"] = "5432";
  auto r = run_runner(spec, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("invalid run spec: target.port: must be an integer, got string"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.status.is_null());

  RunnerOptions broken;
  broken.spec_text = "{\"profile\": \"shop\", ";
  auto r2 = run_runner(spec, dir.path(), broken);
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_NE(r2.err.find("run spec: is not valid JSON"), std::string::npos) << r2.err;
  EXPECT_FALSE(db.schema_exists("analytics"));
}

TEST_F(RunPipelineTest, ASecretInTheRunSpecIsRefused) {
  auto spec = dev_spec(db, project);
  spec["target"]["password"] = PostgresServer::get().password;
  auto r = run_runner(spec, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("target.password: secret values are not accepted"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(PostgresServer::get().password), std::string::npos);
}

TEST_F(RunPipelineTest, TheSecretNeverAppearsInOutputFilesStatusOrArtifacts) {
  const auto& secret = PostgresServer::get().password;
  write_file(project / "models/marts/broken_totals.sql",
             "select order_id, amount / 0 as ratio from {{ ref('fct_orders') }}\n");
  auto spec = dev_spec(db, project);
  spec["commands"] = {"source freshness", "build"};
  auto r = run_runner(spec, dir.path());
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.find(secret), std::string::npos);
  EXPECT_EQ(r.err.find(secret), std::string::npos);
  EXPECT_EQ(r.status.dump().find(secret), std::string::npos);
  EXPECT_TRUE(files_containing(dir.path(), secret).empty());
  ASSERT_TRUE(std::filesystem::exists(r.work_dir / "target" / "manifest.json"));
  ASSERT_TRUE(std::filesystem::exists(r.work_dir / "logs" / "dbt.log"));
  auto profiles = read_text(r.work_dir / "profiles" / "profiles.yml");
  EXPECT_NE(profiles.find("{{ env_var('DBT_ENV_SECRET_PG_PASSWORD') }}"), std::string::npos)
      << profiles;
}

}  // namespace
}  // namespace kubedbt::testing
