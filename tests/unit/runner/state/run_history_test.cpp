// The history row of a run, built from its spec, final status and node results.
#include "runner/state/run_history.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

TEST(RunHistoryTest, ARunRecordCarriesTheRunItsTimingAndEveryNode) {
  RunSpec spec;
  spec.project = "shop";
  spec.target.name = "prod";
  spec.run = RunRef{"data", "nightly-42", "nightly-42", true, ""};
  RunStatus status;
  status.phase = Phase::Failed;
  status.start_time = std::chrono::system_clock::time_point(std::chrono::seconds(1000));
  status.completion_time = status.start_time + std::chrono::milliseconds(12500);
  status.summary.rows_affected = 1005;
  status.dbt_version = "1.11.16";
  status.commit_sha = "abc123";
  status.message = "model broken failed";
  ResultBook book;
  book.record({"inv-1",
               "1.11.16",
               "build",
               {{"model.shop.fct_orders", "model", "success", "", 2.5, 1000},
                {"model.shop.stg_orders", "model", "success", "", 0.5, -1},
                {"model.shop.broken", "model", "error", "division by zero", 0.1, -1}}});
  auto r = run_record(spec, status, book, "inv-1");
  EXPECT_EQ(r.project, "shop");
  EXPECT_EQ(r.target, "prod");
  EXPECT_EQ(r.run_namespace, "data");
  EXPECT_EQ(r.run_name, "nightly-42");
  EXPECT_FALSE(r.run_schema);
  EXPECT_EQ(r.invocation_id, "inv-1");
  EXPECT_EQ(r.phase, "Failed");
  EXPECT_DOUBLE_EQ(r.duration_seconds, 12.5);
  EXPECT_EQ(r.rows_affected, 1005);
  EXPECT_EQ(r.dbt_version, "1.11.16");
  EXPECT_EQ(r.commit_sha, "abc123");
  EXPECT_EQ(r.message, "model broken failed");
  ASSERT_EQ(r.nodes.size(), 3u);
  EXPECT_EQ(r.nodes[0].unique_id, "model.shop.broken");
  EXPECT_EQ(r.nodes[0].status, "error");
  EXPECT_FALSE(r.nodes[0].rows_affected);
  EXPECT_EQ(r.nodes[1].unique_id, "model.shop.fct_orders");
  EXPECT_EQ(r.nodes[1].rows_affected, 1000);
  EXPECT_DOUBLE_EQ(r.nodes[1].execution_seconds, 2.5);
}

TEST(RunHistoryTest, ARunInItsOwnSchemaKeepsTheSchema) {
  RunSpec spec;
  spec.schema = "pr_7";
  RunStatus status;
  status.phase = Phase::Succeeded;
  auto r = run_record(spec, status, ResultBook{}, "");
  EXPECT_EQ(r.run_schema, "pr_7");
  EXPECT_EQ(r.run_namespace, "");
  EXPECT_TRUE(r.nodes.empty());
}

}  // namespace
}  // namespace kubedbt::runner
