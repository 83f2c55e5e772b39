// Which failures are retried, how, and after how long.
#include "runner/dbt/retry_policy.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

using Verdict = RetryDecision::Verdict;

AttemptOutcome with_nodes(int exit_code, std::vector<NodeResult> nodes) {
  AttemptOutcome o;
  o.exit_code = exit_code;
  o.results = InvocationResults{"inv", "1.11.16", "build", std::move(nodes)};
  return o;
}

NodeResult node(const std::string& id, const std::string& status, const std::string& message = "") {
  return {id, resource_type_of(id), status, message, 0, -1};
}

RetrySpec limit(int n) {
  RetrySpec r;
  r.limit = n;
  return r;
}

TEST(RetryPolicyTest, SuccessIsNotRetried) {
  EXPECT_EQ(decide_retry(with_nodes(0, {}), limit(3), 0).verdict, Verdict::Succeeded);
}

TEST(RetryPolicyTest, ADroppedConnectionIsRetriedFromTheFailure) {
  auto o = with_nodes(
      1, {node("model.shop.a", "success"),
          node("model.shop.b", "error", "terminating connection due to administrator command"),
          node("model.shop.c", "skipped")});
  auto d = decide_retry(o, limit(2), 0);
  EXPECT_EQ(d.verdict, Verdict::Retry);
  EXPECT_TRUE(d.use_dbt_retry);
  EXPECT_EQ(decide_retry(o, limit(2), 2).verdict, Verdict::Final);
  EXPECT_EQ(decide_retry(o, limit(0), 0).verdict, Verdict::Final);
}

TEST(RetryPolicyTest, FromStartRunsTheCommandAgain) {
  auto spec = limit(1);
  spec.strategy = RetrySpec::Strategy::FromStart;
  auto d = decide_retry(with_nodes(1, {node("model.shop.b", "error", "timeout")}), spec, 0);
  EXPECT_EQ(d.verdict, Verdict::Retry);
  EXPECT_FALSE(d.use_dbt_retry);
}

TEST(RetryPolicyTest, ExitTwoWithoutResultsIsRetriedAsAWhole) {
  AttemptOutcome o;
  o.exit_code = 2;
  o.fatal_error = "Database Error\n  could not connect to server: Connection refused";
  auto d = decide_retry(o, limit(1), 0);
  EXPECT_EQ(d.verdict, Verdict::Retry);
  EXPECT_FALSE(d.use_dbt_retry);
}

TEST(RetryPolicyTest, ADataTestFailureIsFinalUnlessAllowed) {
  auto o = with_nodes(
      1, {node("model.shop.a", "success"), node("test.shop.t.x", "fail", "Got 3 results")});
  EXPECT_EQ(decide_retry(o, limit(3), 0).verdict, Verdict::Final);
  auto spec = limit(3);
  spec.on_test_failure = true;
  EXPECT_EQ(decide_retry(o, spec, 0).verdict, Verdict::Retry);
}

TEST(RetryPolicyTest, ATestErrorIsARuntimeErrorAndIsRetried) {
  auto o =
      with_nodes(1, {node("test.shop.t.x", "error", "server closed the connection unexpectedly")});
  EXPECT_EQ(decide_retry(o, limit(1), 0).verdict, Verdict::Retry);
}

TEST(RetryPolicyTest, ErrorsNoRetryCanFixAreFinal) {
  AttemptOutcome auth;
  auth.exit_code = 2;
  auth.fatal_error = "Database Error\n  FATAL:  password authentication failed for user \"dbt\"";
  EXPECT_EQ(decide_retry(auth, limit(3), 0).verdict, Verdict::Final);
  AttemptOutcome compile;
  compile.exit_code = 2;
  compile.fatal_error = "Compilation Error in model a";
  EXPECT_EQ(decide_retry(compile, limit(3), 0).verdict, Verdict::Final);
  auto node_compile =
      with_nodes(1, {node("model.shop.a", "error", "Compilation Error in model a")});
  EXPECT_EQ(decide_retry(node_compile, limit(3), 0).verdict, Verdict::Final);
}

TEST(RetryPolicyTest, AStaleSourceIsFinal) {
  auto o = with_nodes(1, {node("source.shop.raw.orders", "error", "last loaded 30h ago")});
  o.freshness = true;
  EXPECT_EQ(decide_retry(o, limit(3), 0).verdict, Verdict::Final);
}

TEST(RetryPolicyTest, BackoffDoublesUpToFiveMinutes) {
  RetrySpec spec;
  spec.backoff = std::chrono::seconds(10);
  EXPECT_EQ(backoff_before(1, spec), std::chrono::seconds(10));
  EXPECT_EQ(backoff_before(2, spec), std::chrono::seconds(20));
  EXPECT_EQ(backoff_before(3, spec), std::chrono::seconds(40));
  EXPECT_EQ(backoff_before(10, spec), std::chrono::seconds(300));
  spec.backoff = std::chrono::seconds(0);
  EXPECT_EQ(backoff_before(4, spec), std::chrono::seconds(0));
}

}  // namespace
}  // namespace kubedbt::runner
