// End to end: CronJob -> Job -> pod (node agent) -> kubedbt-runner -> dbt -> PostgreSQL, driven by
// the real operator and read back with the real kubectl's JSON output.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/e2e/e2e_harness.h"

namespace kubedbt::testing {
namespace {

using Json = nlohmann::json;

Json schedule(const std::string& name, const std::string& target, const Json& extra = {}) {
  Json spec = {
      {"projectRef", {{"name", "shop"}}}, {"target", target},      {"schedule", "0 6 * * *"},
      {"timeZone", "Europe/Berlin"},      {"commands", {"build"}}, {"timeout", "20m"}};
  if (extra.is_object()) spec.update(extra);
  return {{"apiVersion", "kubedbt.io/v1alpha1"},
          {"kind", "DbtSchedule"},
          {"metadata", {{"name", name}}},
          {"spec", spec}};
}

Json dbt_run(const std::string& name, const Json& spec) {
  Json full = {{"projectRef", {{"name", "shop"}}}, {"commands", {"build"}}, {"timeout", "20m"}};
  full.update(spec);
  return {{"apiVersion", "kubedbt.io/v1alpha1"},
          {"kind", "DbtRun"},
          {"metadata", {{"name", name}}},
          {"spec", full}};
}

std::string phase(const Json& run) { return run["status"].value("phase", ""); }

Json status_field(const Json& run, const std::string& field) {
  return run["status"].value(field, Json());
}

std::set<std::string> relations(const TestDatabase& db, const std::string& schema) {
  auto names = db.column("select table_name from information_schema.tables where table_schema = '" +
                         schema + "'");
  return {names.begin(), names.end()};
}

// (1) The nightly prod schedule deploys blue-green: built and tested in staging schemas, then
// swapped into production in one transaction; a second night keeps the first as the backup.
TEST(E2e, NightlyBlueGreenScheduleSwapsProductionSchemas) {
  E2eEnvironment env("e2e-bluegreen");
  env.apply_project();
  env.apply(schedule("shop-nightly", "prod",
                     {{"commands", {"source freshness", "build"}},
                      {"deployment", {{"strategy", "BlueGreen"}, {"keepPrevious", true}}}}));

  auto first = env.wait_for_finished_run(env.trigger_schedule("shop-nightly", "shop-nightly-n1"));
  ASSERT_EQ(phase(first), "Succeeded") << env.diagnostics("shop-nightly-n1");
  auto deployment = status_field(first, "deployment");
  ASSERT_TRUE(deployment.is_object()) << "no status.deployment: " << first["status"].dump();
  EXPECT_EQ(deployment.value("swapped", false), true) << deployment.dump();
  auto schemas = deployment.value("schemas", Json::array());
  EXPECT_NE(std::find(schemas.begin(), schemas.end(), "analytics"), schemas.end())
      << deployment.dump();
  const auto& db = env.warehouse().database();
  EXPECT_GT(std::stoi(db.value("select count(*) from analytics.fct_orders")), 0);
  EXPECT_GT(std::stoi(db.value("select count(*) from analytics.dim_customers")), 0);

  auto second = env.wait_for_finished_run(env.trigger_schedule("shop-nightly", "shop-nightly-n2"));
  ASSERT_EQ(phase(second), "Succeeded") << env.diagnostics("shop-nightly-n2");
  deployment = status_field(second, "deployment");
  EXPECT_EQ(deployment.value("swapped", false), true) << deployment.dump();
  auto previous = deployment.value("previous", Json::array());
  ASSERT_FALSE(previous.empty()) << "keepPrevious kept no backup: " << deployment.dump();
  for (const auto& backup : previous) {
    EXPECT_TRUE(db.schema_exists(backup.get<std::string>())) << backup;
  }
  EXPECT_GT(std::stoi(db.value("select count(*) from analytics.fct_orders")), 0);

  auto sched = env.get("dbtschedule", "shop-nightly");
  EXPECT_EQ(sched["status"]["lastRun"].value("phase", ""), "Succeeded") << sched["status"].dump();
}

// (2) Slim CI: a pull request's branch changes fct_orders; a DbtRun deferred to prod with
// state:modified+ builds fct_orders and its child dim_customers, nothing else, into its own schema.
TEST(E2e, CiRunDeferredToProdBuildsOnlyTheChangedModelAndItsChildren) {
  E2eEnvironment env("e2e-slimci");
  std::string fct_orders;
  {
    std::ifstream in(shop_project() / "models/marts/fct_orders.sql");
    std::stringstream s;
    s << in.rdbuf();
    fct_orders = s.str();
  }
  auto from = fct_orders.find("\nfrom {{ ref('stg_orders') }} o");
  ASSERT_NE(from, std::string::npos) << "examples/shop fct_orders.sql changed shape";
  fct_orders.insert(from, ",\n    o.status = 'returned' as is_returned");
  env.repository().branch("pr-7", {{"models/marts/fct_orders.sql", fct_orders}});
  env.apply_project();
  env.apply(schedule("shop-nightly", "prod"));
  auto prod = env.wait_for_finished_run(env.trigger_schedule("shop-nightly", "shop-nightly-p1"));
  ASSERT_EQ(phase(prod), "Succeeded") << env.diagnostics("shop-nightly-p1");

  env.apply(dbt_run("shop-ci-pr-7", {{"target", "dev"},
                                     {"schema", "ci_pr_7"},
                                     {"source", {{"ref", "pr-7"}}},
                                     {"select", {"state:modified+"}},
                                     {"defer", {{"to", "prod"}}}}));
  auto ci = env.wait_for_finished_run("shop-ci-pr-7");
  ASSERT_EQ(phase(ci), "Succeeded") << env.diagnostics("shop-ci-pr-7");
  auto deferral = status_field(ci, "deferral");
  ASSERT_TRUE(deferral.is_object()) << "no status.deferral: " << ci["status"].dump();
  EXPECT_EQ(deferral.value("to", ""), "prod");
  EXPECT_EQ(deferral.value("manifestFound", false), true) << deferral.dump();
  EXPECT_EQ(ci["status"]["summary"]["models"].value("success", -1), 2) << ci["status"].dump();

  const auto& db = env.warehouse().database();
  EXPECT_EQ(relations(db, "ci_pr_7"), (std::set<std::string>{"dim_customers", "fct_orders"}));
  EXPECT_EQ(db.value("select count(*) from information_schema.columns where table_schema = "
                     "'ci_pr_7' and table_name = 'fct_orders' and column_name = 'is_returned'"),
            "1");
  // Production is untouched by the CI run.
  EXPECT_EQ(db.value("select count(*) from information_schema.columns where table_schema = "
                     "'analytics' and table_name = 'fct_orders' and column_name = 'is_returned'"),
            "0");
}

// (3) A data test fails: the run ends Failed and the alert reaches the project's webhook.
TEST(E2e, FailingDataTestAlertsTheWebhook) {
  E2eEnvironment env("e2e-alert");
  WebhookReceiver receiver;
  env.repository().branch(
      "no-returns", {{"tests/assert_no_returned_orders.sql",
                      "-- Fails on purpose: the shop has returned orders.\n"
                      "select order_id from {{ ref('fct_orders') }} where status = 'returned'\n"}});
  kubectl_or_throw(
      {"-n", env.ns(), "create", "secret", "generic", "shop-alerts",
       "--from-literal=url=http://127.0.0.1:" + std::to_string(receiver.port()) + "/hooks/dbt"});
  env.apply_project(
      {{"notifications",
        {{{"events", {"testFailure", "failure"}},
          {"webhook", {{"urlSecretRef", {{"name", "shop-alerts"}, {"key", "url"}}}}}}}}});
  env.apply(dbt_run("shop-no-returns", {{"target", "dev"}, {"source", {{"ref", "no-returns"}}}}));

  auto run = env.wait_for_finished_run("shop-no-returns");
  ASSERT_EQ(phase(run), "Failed") << env.diagnostics("shop-no-returns");
  EXPECT_GE(run["status"]["summary"]["tests"].value("fail", 0), 1) << run["status"].dump();

  ASSERT_TRUE(eventually([&] { return !receiver.requests().empty(); }, std::chrono::seconds(60)))
      << "no alert reached the webhook\n"
      << env.diagnostics("shop-no-returns");
  auto request = receiver.requests().front();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/hooks/dbt");
  auto body = Json::parse(request.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << "the alert is not JSON: " << request.body;
  EXPECT_NE(request.body.find("assert_no_returned_orders"), std::string::npos) << request.body;
  EXPECT_NE(request.body.find("shop-no-returns"), std::string::npos) << request.body;
  EXPECT_NE(request.body.find("kubectl describe dbtrun"), std::string::npos) << request.body;
  // The DbtRun says the alert arrived, and its outcome stays Failed.
  Json delivered;
  EXPECT_TRUE(eventually(
      [&] {
        delivered = env.get("dbtrun", "shop-no-returns");
        return delivered["status"].contains("notifications");
      },
      std::chrono::seconds(30)))
      << delivered["status"].dump();
  const auto& deliveries = delivered["status"]["notifications"];
  ASSERT_EQ(deliveries.size(), 1u) << delivered["status"].dump();
  EXPECT_EQ(deliveries[0]["kind"], "webhook");
  EXPECT_EQ(deliveries[0]["delivered"], true);
  EXPECT_EQ(deliveries[0]["events"], Json({"failure", "testFailure"}));
  EXPECT_EQ(phase(delivered), "Failed");
}

// (4) The run's pod is deleted while a slow model runs: the runner cancels dbt, PostgreSQL
// cancels the query, and the DbtRun ends Cancelled.
TEST(E2e, DeletedPodCancelsTheRunAndItsQueries) {
  E2eEnvironment env("e2e-cancel");
  env.repository().branch("slow", {{"models/marts/slow_orders.sql",
                                    "-- Takes ten minutes: a run to cancel.\n"
                                    "{{ config(materialized='table') }}\n"
                                    "select count(*) as orders, pg_sleep(600) is null as slept\n"
                                    "from {{ source('raw', 'orders') }}\n"}});
  env.apply_project();
  env.apply(
      dbt_run("shop-slow",
              {{"target", "dev"}, {"source", {{"ref", "slow"}}}, {"select", {"slow_orders"}}}));

  const auto& warehouse = env.warehouse();
  bool sleeping = false;
  eventually(
      [&] {
        sleeping =
            warehouse.database().value("select count(*) from pg_stat_activity where usename = '" +
                                       warehouse.role() +
                                       "' and state = 'active' and query like '%pg_sleep%'") != "0";
        return sleeping || phase(env.get("dbtrun", "shop-slow")) == "Failed";
      },
      std::chrono::minutes(3), std::chrono::seconds(1));
  ASSERT_TRUE(sleeping) << "the slow model never started\n" << env.diagnostics("shop-slow");
  EXPECT_EQ(phase(env.get("dbtrun", "shop-slow")), "Running");

  auto pods = kubectl_json(
      {"-n", env.ns(), "get", "pods", "-l", "batch.kubernetes.io/job-name=shop-slow-run"});
  ASSERT_EQ(pods["items"].size(), 1u) << pods.dump();
  std::string pod = pods["items"][0]["metadata"]["name"];
  kubectl_or_throw({"-n", env.ns(), "delete", "pod", pod, "--wait=false"});

  auto run = env.wait_for_finished_run("shop-slow");
  EXPECT_EQ(phase(run), "Cancelled") << env.diagnostics("shop-slow");
  EXPECT_TRUE(
      eventually([&] { return warehouse.active_sessions() == 0; }, std::chrono::seconds(30)))
      << "queries of " << warehouse.role() << " still run after the cancel";
  EXPECT_EQ(warehouse.database().value("select to_regclass('dev.slow_orders') is null"), "t")
      << "the cancelled model's table was created";
}

}  // namespace
}  // namespace kubedbt::testing
