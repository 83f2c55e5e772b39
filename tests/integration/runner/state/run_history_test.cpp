// Run history and anomalies end to end with the real runner, dbt and PostgreSQL: every run and
// node is recorded (failed runs too), and a model whose rows drop to zero is flagged.
#include <gtest/gtest.h>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;

class RunHistoryTest : public ::testing::Test {
 protected:
  TestDatabase db{"history"};
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";
  int runs = 0;

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
  }

  RunnerResult run(const json& spec) {
    auto root = dir.path() / ("run" + std::to_string(++runs));
    std::filesystem::create_directories(root);
    return run_runner(spec, root);
  }
};

TEST_F(RunHistoryTest, EveryRunAndEveryNodeIsRecordedFailedRunsToo) {
  auto ok = run(dev_spec(db, project));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto results = read_json_file(ok.work_dir / "target" / "run_results.json");
  EXPECT_EQ(
      db.value("select project || '|' || target || '|' || coalesce(run_schema, '-') || '|' "
               "|| phase || '|' || dbt_version || '|' || invocation_id from kubedbt_dev.runs"),
      "shop|dev|-|Succeeded|1.11.16|" + results["metadata"]["invocation_id"].get<std::string>());
  EXPECT_EQ(db.value("select rows_affected from kubedbt_dev.runs"),
            std::to_string(ok.status["summary"]["rowsAffected"].get<int64_t>()));
  EXPECT_EQ(db.value("select finished_at > started_at and duration_seconds > 0 and "
                     "abs(extract(epoch from finished_at - started_at) - duration_seconds) < 0.01 "
                     "from kubedbt_dev.runs"),
            "t");
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.run_nodes"),
            std::to_string(results["results"].size()));
  for (const auto& r : results["results"]) {
    auto id = r["unique_id"].get<std::string>();
    auto row = db.value(
        "select status || '|' || coalesce(rows_affected::text, '-') from "
        "kubedbt_dev.run_nodes where unique_id = '" +
        id + "'");
    auto rows = r["adapter_response"].value("rows_affected", int64_t{-1});
    auto expected_rows = id.rfind("test.", 0) == 0 || rows < 0 ? "-" : std::to_string(rows);
    if (id.rfind("test.", 0) == 0) {
      EXPECT_EQ(row.substr(0, row.find('|')), r["status"].get<std::string>()) << id;
    } else {
      EXPECT_EQ(row, r["status"].get<std::string>() + "|" + expected_rows) << id;
    }
  }
  EXPECT_EQ(db.value("select rows_affected from kubedbt_dev.run_nodes where unique_id = "
                     "'seed.shop.countries'"),
            "5");

  write_file(project / "tests/assert_no_completed_orders.sql",
             "select order_id from {{ ref('fct_orders') }} where status = 'completed'\n");
  auto failed = run(dev_spec(db, project));
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(db.value("select string_agg(phase, ',' order by id) from kubedbt_dev.runs"),
            "Succeeded,Failed");
  EXPECT_EQ(
      db.value("select n.status from kubedbt_dev.run_nodes n join kubedbt_dev.runs r on r.id = "
               "n.run_id where r.phase = 'Failed' and n.unique_id like "
               "'test.shop.assert_no_completed_orders%'"),
      "fail");
  EXPECT_NE(db.value("select message from kubedbt_dev.runs where phase = 'Failed'")
                .find("1 data test failed"),
            std::string::npos);
}

TEST_F(RunHistoryTest, AModelWhoseRowsDropToZeroIsFlaggedAndItsRecoveryIsNot) {
  for (int i = 0; i < 2; ++i) {
    auto r = run(dev_spec(db, project));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(r.status.contains("anomalies")) << r.status.dump();
  }
  auto previous = db.value(
      "select n.rows_affected from kubedbt_dev.run_nodes n join kubedbt_dev.runs r on r.id = "
      "n.run_id "
      "where n.unique_id = 'model.shop.fct_orders' order by r.id desc limit 1");
  ASSERT_GT(std::stoll(previous), 0);

  // A negative window selects no order: fct_orders builds with zero rows.
  auto spec = dev_spec(db, project);
  spec["vars"] = {{"dev_window_days", -1}};
  auto zero = run(spec);
  ASSERT_EQ(zero.exit_code, 0) << zero.err;
  EXPECT_EQ(db.value("select count(*) from analytics.fct_orders"), "0");
  ASSERT_EQ(zero.status["anomalies"].size(), 1u) << zero.status.dump();
  const auto& anomaly = zero.status["anomalies"][0];
  EXPECT_EQ(anomaly["kind"], "RowCount");
  EXPECT_EQ(anomaly["node"], "model.shop.fct_orders");
  EXPECT_EQ(anomaly["message"].get<std::string>(),
            "model.shop.fct_orders: 0 rows affected, " + previous +
                " in its previous successful run (went to zero; threshold 10.0x)");
  EXPECT_NE(zero.err.find("\"anomaly\""), std::string::npos);

  // Back to normal: the newest baseline value is now zero, and growth from zero has no factor.
  auto back = run(dev_spec(db, project));
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_FALSE(back.status.contains("anomalies")) << back.status.dump();

  // A run in its own schema is never compared with the target's history.
  auto ci = dev_spec(db, project);
  ci["schema"] = "pr_5";
  ci["vars"] = {{"dev_window_days", -1}};
  auto own = run(ci);
  ASSERT_EQ(own.exit_code, 0) << own.err;
  EXPECT_FALSE(own.status.contains("anomalies")) << own.status.dump();
}

}  // namespace
}  // namespace kubedbt::testing
