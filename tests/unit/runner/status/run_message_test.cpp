// The one sentence: success, failing model, failing test, stale source, dbt's own error.
#include "runner/status/run_message.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

AttemptOutcome outcome(std::vector<NodeResult> nodes) {
  AttemptOutcome o;
  o.exit_code = 1;
  o.results = InvocationResults{"inv", "", "build", std::move(nodes)};
  return o;
}

NodeResult node(const std::string& id, const std::string& status, const std::string& message = "") {
  return {id, resource_type_of(id), status, message, 0, -1};
}

TEST(RunMessageTest, DisplayNames) {
  EXPECT_EQ(display_name("model.shop.fct_orders"), "fct_orders");
  EXPECT_EQ(display_name("source.shop.raw.orders"), "raw.orders");
  EXPECT_EQ(display_name("test.shop.not_null_fct_orders_amount.1a2b3c"),
            "not_null_fct_orders_amount");
  EXPECT_EQ(display_name("odd"), "odd");
}

TEST(RunMessageTest, Success) {
  Summary s;
  s.models.success = 5;
  s.tests.pass = 20;
  s.tests.warn = 1;
  s.freshness.pass = 3;
  EXPECT_EQ(success_message(s),
            "Succeeded: built 5 models; 21 tests passed (1 with warnings); 3 sources fresh.");
}

TEST(RunMessageTest, AFailingModelComesFirstWithItsSkippedChildren) {
  auto o = outcome({node("model.shop.a", "success"),
                    node("model.shop.totals", "error",
                         "Database Error in model totals (models/totals.sql)\n  division by zero\n"
                         "  compiled code at target/run/shop/models/totals.sql"),
                    node("model.shop.child", "skipped"), node("test.shop.t.x", "skipped")});
  EXPECT_EQ(failure_message("build", o),
            "model totals failed: Database Error in model totals (models/totals.sql): division by "
            "zero: compiled code at target/run/shop/models/totals.sql; 2 nodes skipped");
}

TEST(RunMessageTest, FailingTests) {
  auto o =
      outcome({node("test.shop.unique_a_id.1", "fail", "Got 2 results, configured to fail if != 0"),
               node("test.shop.not_null_a_id.2", "fail", "Got 1 result")});
  EXPECT_EQ(
      failure_message("build", o),
      "2 data tests failed: unique_a_id (Got 2 results, configured to fail if != 0) and 1 more");
}

TEST(RunMessageTest, AStaleSource) {
  auto o = outcome(
      {node("source.shop.raw.orders", "error", "last loaded 30h ago (error after 24 hours)")});
  EXPECT_EQ(failure_message("source freshness", o),
            "source raw.orders is stale: last loaded 30h ago (error after 24 hours)");
}

TEST(RunMessageTest, DbtsOwnErrorWhenNoNodeRan) {
  AttemptOutcome o;
  o.exit_code = 2;
  o.fatal_error =
      "Database Error\n  connection to server at \"127.0.0.1\", port 1 failed: Connection "
      "refused\n";
  EXPECT_EQ(
      failure_message("build", o),
      "dbt build could not run: Database Error: connection to server at \"127.0.0.1\", port 1 "
      "failed: Connection refused");
  AttemptOutcome bare;
  bare.exit_code = 2;
  EXPECT_EQ(failure_message("run", bare), "dbt run failed with exit code 2");
}

TEST(RunMessageTest, OneLineIsBounded) {
  EXPECT_EQ(one_line(std::string(1000, 'x'), 10), "xxxxxxx...");
}

}  // namespace
}  // namespace kubedbt::runner
