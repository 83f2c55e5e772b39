// Artifact parsing (run_results.h) and the summary over attempts (run_summary.h).
#include "runner/status/run_summary.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

nlohmann::json result(const std::string& id, const std::string& status, double seconds,
                      int64_t rows = -1, const std::string& message = "") {
  nlohmann::json r = {{"unique_id", id},
                      {"status", status},
                      {"execution_time", seconds},
                      {"adapter_response", {{"rows_affected", rows}}}};
  r["message"] = message.empty() ? nlohmann::json(nullptr) : nlohmann::json(message);
  return r;
}

nlohmann::json run_results(const std::string& invocation, const nlohmann::json& results) {
  return {{"metadata", {{"dbt_version", "1.11.16"}, {"invocation_id", invocation}}},
          {"args", {{"which", "build"}}},
          {"results", results}};
}

TEST(RunResultsTest, ReadsTheDocumentedFields) {
  auto inv = parse_run_results(run_results(
      "inv-1", {result("model.shop.a", "success", 1.5, 100, "SELECT 100"),
                result("test.shop.not_null_a_id.1a2b", "fail", 0.1, 1, "Got 3 results")}));
  EXPECT_EQ(inv.invocation_id, "inv-1");
  EXPECT_EQ(inv.command, "build");
  ASSERT_EQ(inv.nodes.size(), 2u);
  EXPECT_EQ(inv.nodes[0].resource_type, "model");
  EXPECT_EQ(inv.nodes[0].rows_affected, 100);
  EXPECT_EQ(inv.nodes[1].resource_type, "test");
  EXPECT_EQ(inv.nodes[1].message, "Got 3 results");
  EXPECT_THROW(parse_run_results(nlohmann::json::object()), std::runtime_error);
}

TEST(RunResultsTest, ReadsFreshnessWithAnAgeMessage) {
  nlohmann::json sources = {{"metadata", {{"invocation_id", "inv-2"}}},
                            {"results",
                             {{{"unique_id", "source.shop.raw.orders"},
                               {"status", "error"},
                               {"max_loaded_at_time_ago_in_s", 30 * 3600.0},
                               {"criteria",
                                {{"warn_after", {{"count", 12}, {"period", "hour"}}},
                                 {"error_after", {{"count", 24}, {"period", "hour"}}}}}},
                              {{"unique_id", "source.shop.raw.customers"},
                               {"status", "runtime error"},
                               {"error", "relation \"raw.customers\" does not exist"}}}}};
  auto inv = parse_sources(sources);
  ASSERT_EQ(inv.nodes.size(), 2u);
  EXPECT_EQ(inv.nodes[0].message, "last loaded 30h ago (error after 24 hours)");
  EXPECT_EQ(inv.nodes[1].message, "relation \"raw.customers\" does not exist");
}

TEST(RunSummaryTest, CountsByTypeAndStatus) {
  ResultBook book;
  book.record(parse_run_results(run_results(
      "inv-1",
      {result("seed.shop.countries", "success", 0.2, 5), result("model.shop.a", "success", 3.0, 10),
       result("model.shop.b", "error", 0.5, -1, "boom"), result("model.shop.c", "skipped", 0),
       result("test.shop.t1.x", "pass", 0.1, 1), result("test.shop.t2.x", "warn", 0.1, 1),
       result("test.shop.t3.x", "fail", 0.1, 1, "Got 2 results"),
       result("test.shop.t4.x", "error", 0.1, -1, "syntax")})));
  auto s = book.summary();
  EXPECT_EQ(s.models.success, 1);
  EXPECT_EQ(s.models.error, 1);
  EXPECT_EQ(s.models.skipped, 1);
  EXPECT_EQ(s.tests.pass, 1);
  EXPECT_EQ(s.tests.warn, 1);
  EXPECT_EQ(s.tests.fail, 1);
  EXPECT_EQ(s.tests.error, 1);
  EXPECT_EQ(s.rows_affected, 15);  // tests' rows do not count
  ASSERT_EQ(s.failures.size(), 3u);
  EXPECT_EQ(s.failures[0].node, "model.shop.b");
  EXPECT_EQ(s.failures[0].message, "boom");
  ASSERT_FALSE(s.slowest.empty());
  EXPECT_EQ(s.slowest[0].node, "model.shop.a");
}

TEST(RunSummaryTest, ARetryReplacesOnlyTheNodesItRan) {
  ResultBook book;
  book.record(
      parse_run_results(run_results("inv-1", {result("model.shop.a", "success", 1),
                                              result("model.shop.b", "error", 1, -1, "dropped"),
                                              result("model.shop.c", "skipped", 0)})));
  book.record(parse_run_results(run_results(
      "inv-2", {result("model.shop.b", "success", 1), result("model.shop.c", "success", 1)})));
  auto s = book.summary();
  EXPECT_EQ(s.models.success, 3);
  EXPECT_EQ(s.models.error, 0);
  EXPECT_EQ(s.models.skipped, 0);
  EXPECT_TRUE(s.failures.empty());
}

TEST(RunSummaryTest, BoundsFailuresAndSlowest) {
  nlohmann::json results = nlohmann::json::array();
  for (int i = 0; i < 50; ++i) {
    results.push_back(result("model.shop.m" + std::to_string(i), "error", i, -1, "e"));
  }
  ResultBook book;
  book.record(parse_run_results(run_results("inv", results)));
  auto s = book.summary();
  EXPECT_EQ(s.failures.size(), ResultBook::kMaxFailures);
  EXPECT_EQ(s.slowest.size(), ResultBook::kMaxSlowest);
  EXPECT_EQ(s.slowest[0].node, "model.shop.m49");
}

}  // namespace
}  // namespace kubedbt::runner
