// The words every channel sends: run, project, target, what failed (capped), where to look.
#include "notify/message.h"

#include <gtest/gtest.h>

namespace kubedbt::notify {
namespace {

RunOutcome failed_run() {
  RunOutcome o;
  o.project = "shop";
  o.target = "prod";
  o.run_namespace = "data";
  o.run_name = "nightly-29000000";
  o.phase = "Failed";
  o.message = "1 data test failed: assert_no_completed_orders (Got 3 results)";
  o.counts.tests.fail = 1;
  o.failures.push_back({"test.shop.assert_no_completed_orders.1a2b", "assert_no_completed_orders",
                        "Got 3 results,\n  configured to fail if != 0"});
  return o;
}

TEST(NotifyMessage, NamesProjectTargetRunEventsAndTheCommandToLookCloser) {
  auto m = compose_message(failed_run(), {Event::Failure, Event::TestFailure});
  EXPECT_EQ(m.title,
            "[kubedbt] shop/prod: run data/nightly-29000000 failed (failure, testFailure)");
  EXPECT_EQ(m.describe_command, "kubectl describe dbtrun -n data nightly-29000000");
  EXPECT_NE(m.text.find("Project shop, target prod, DbtRun data/nightly-29000000: Failed."),
            std::string::npos)
      << m.text;
  EXPECT_NE(m.text.find("Events: failure, testFailure."), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("- assert_no_completed_orders (test.shop.assert_no_completed_orders.1a2b): "
                        "Got 3 results, configured to fail if != 0"),
            std::string::npos)
      << m.text;
  EXPECT_NE(m.text.find("Look closer: kubectl describe dbtrun -n data nightly-29000000"),
            std::string::npos);
}

TEST(NotifyMessage, FailuresAreCappedAndTheRestCounted) {
  auto o = failed_run();
  o.failures.clear();
  for (int i = 0; i < 14; ++i) {
    o.failures.push_back(
        {"model.shop.m" + std::to_string(i), "m" + std::to_string(i), std::string(1000, 'x')});
  }
  auto m = compose_message(o, {Event::Failure});
  ASSERT_EQ(m.failures.size(), Message::kMaxFailures);
  EXPECT_EQ(m.failures_omitted, 4u);
  EXPECT_EQ(m.failures[0].message.size(), Message::kMaxFailureMessage);
  EXPECT_NE(m.text.find("- and 4 more"), std::string::npos);
  EXPECT_EQ(m.text.find("(model.shop.m10)"), std::string::npos);
}

TEST(NotifyMessage, ListsAnomalies) {
  auto o = failed_run();
  o.phase = "Succeeded";
  o.failures.clear();
  o.anomalies.push_back({"RowCount", "model.shop.fct_orders", "0 rows, median 15400"});
  auto m = compose_message(o, {Event::Anomaly});
  EXPECT_NE(m.title.find("succeeded (anomaly)"), std::string::npos) << m.title;
  EXPECT_NE(m.text.find("- RowCount model.shop.fct_orders: 0 rows, median 15400"),
            std::string::npos)
      << m.text;
}

TEST(NotifyMessage, ALocalRunHasNoDbtRunToDescribe) {
  auto o = failed_run();
  o.run_namespace.clear();
  o.run_name.clear();
  o.phase = "TimedOut";
  auto m = compose_message(o, {Event::Failure});
  EXPECT_EQ(m.title, "[kubedbt] shop/prod: local run timed out (failure)");
  EXPECT_TRUE(m.describe_command.empty());
  EXPECT_EQ(m.text.find("kubectl"), std::string::npos);
}

}  // namespace
}  // namespace kubedbt::notify
