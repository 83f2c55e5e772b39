// Progress from dbt's JSON log events (dbt_event.h parsing, progress.h folding).
#include "runner/dbt/progress.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

std::string line(const std::string& name, const nlohmann::json& data,
                 const std::string& level = "info", const std::string& msg = "") {
  return nlohmann::json{
      {"info", {{"name", name}, {"level", level}, {"msg", msg}, {"invocation_id", "inv-1"}}},
      {"data", data}}
      .dump();
}

nlohmann::json node(const std::string& id, const std::string& status) {
  return {{"unique_id", id}, {"node_status", status}};
}

void feed(ProgressTracker& t, const std::string& text) {
  auto e = parse_dbt_event(text);
  ASSERT_TRUE(e) << text;
  t.observe(*e);
}

TEST(DbtEventTest, ParsesEventsAndIgnoresOtherLines) {
  auto e = parse_dbt_event(line("MainReportVersion", {{"version", "=1.11.16"}}, "info",
                                "\x1b[33mRunning with dbt=1.11.16\x1b[0m"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "MainReportVersion");
  EXPECT_EQ(e->msg, "Running with dbt=1.11.16");
  EXPECT_EQ(e->invocation_id, "inv-1");
  EXPECT_FALSE(parse_dbt_event(""));
  EXPECT_FALSE(parse_dbt_event("Traceback (most recent call last):"));
  EXPECT_FALSE(parse_dbt_event("{\"info\": 3}"));
  EXPECT_FALSE(parse_dbt_event("{\"truncated\": "));
}

TEST(ProgressTest, CountsFinishedNodesAndNamesTheRunningOne) {
  ProgressTracker t;
  feed(t, line("MainReportVersion", {{"version", "=1.11.16"}}));
  feed(t, line("ConcurrencyLine", {{"node_count", 3}, {"num_threads", 2}}));
  EXPECT_EQ(t.progress(), (Progress{0, 3, ""}));
  feed(t, line("LogStartLine",
               {{"index", 1}, {"total", 3}, {"node_info", node("model.shop.a", "started")}}));
  feed(t, line("LogStartLine",
               {{"index", 2}, {"total", 3}, {"node_info", node("model.shop.b", "started")}}));
  // The longest-running node is the one to name.
  EXPECT_EQ(t.progress(), (Progress{0, 3, "model.shop.a"}));
  feed(t, line("LogModelResult",
               {{"index", 2}, {"total", 3}, {"node_info", node("model.shop.b", "success")}}));
  EXPECT_EQ(t.progress(), (Progress{1, 3, "model.shop.a"}));
  feed(t, line("LogModelResult",
               {{"index", 1}, {"total", 3}, {"node_info", node("model.shop.a", "error")}}));
  // A skipped node is done too; its later warning events do not count twice.
  feed(t, line("LogSkipBecauseError",
               {{"index", 3}, {"total", 3}, {"node_info", node("model.shop.c", "skipped")}}));
  feed(t, line("RunResultWarning", {{"node_info", node("model.shop.c", "None")}}, "warn"));
  EXPECT_EQ(t.progress(), (Progress{3, 3, ""}));
  EXPECT_EQ(t.dbt_version(), "1.11.16");
  EXPECT_EQ(t.invocation_id(), "inv-1");
}

TEST(ProgressTest, KeepsDbtsFatalErrorAndRecentErrors) {
  ProgressTracker t;
  feed(t, line("MainEncounteredError", {{"exc", "Database Error\n  connection refused\n"}}, "error",
               "Encountered an error"));
  EXPECT_EQ(t.fatal_error(), "Database Error\n  connection refused\n");
  ASSERT_EQ(t.errors().size(), 1u);
  for (int i = 0; i < 20; ++i)
    feed(t, line("RunResultError", {}, "error", "e" + std::to_string(i)));
  EXPECT_EQ(t.errors().size(), 8u);
  EXPECT_EQ(t.errors().back(), "e19");
}

TEST(ProgressTest, ReportsWhetherProgressChanged) {
  ProgressTracker t;
  auto start = parse_dbt_event(
      line("LogStartLine", {{"total", 1}, {"node_info", node("model.x.a", "started")}}));
  EXPECT_TRUE(t.observe(*start));
  EXPECT_FALSE(t.observe(*start));
  auto noise = parse_dbt_event(line("Formatting", {{"msg", ""}}));
  EXPECT_FALSE(t.observe(*noise));
}

}  // namespace
}  // namespace kubedbt::runner
