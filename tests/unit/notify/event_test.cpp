// Which events a finished run produces, and which of them a destination gets.
#include "notify/event.h"

#include <gtest/gtest.h>

namespace kubedbt::notify {
namespace {

using Events = std::vector<Event>;

RunOutcome outcome(const std::string& phase) {
  RunOutcome o;
  o.phase = phase;
  return o;
}

TEST(NotifyEvent, NamesRoundTripAndUnknownNamesAreRefused) {
  for (Event e :
       {Event::Failure, Event::Success, Event::TestFailure, Event::FreshnessWarn, Event::Anomaly}) {
    EXPECT_EQ(parse_event(to_string(e)), e);
  }
  EXPECT_EQ(std::string(to_string(Event::TestFailure)), "testFailure");
  EXPECT_FALSE(parse_event("failed").has_value());
}

TEST(NotifyEvent, FailedTimedOutAndCancelledRunsAreFailures) {
  EXPECT_EQ(events_of(outcome("Failed")), Events{Event::Failure});
  EXPECT_EQ(events_of(outcome("TimedOut")), Events{Event::Failure});
  EXPECT_EQ(events_of(outcome("Cancelled")), Events{Event::Failure});
  EXPECT_EQ(events_of(outcome("Succeeded")), Events{Event::Success});
}

TEST(NotifyEvent, AFailedOrErroredTestIsATestFailure) {
  auto o = outcome("Failed");
  o.counts.tests.fail = 1;
  EXPECT_EQ(events_of(o), (Events{Event::Failure, Event::TestFailure}));
  o.counts.tests.fail = 0;
  o.counts.tests.error = 1;
  EXPECT_EQ(events_of(o), (Events{Event::Failure, Event::TestFailure}));
  o.counts.tests.error = 0;
  o.counts.tests.warn = 3;  // a warning is not a failure
  EXPECT_EQ(events_of(o), Events{Event::Failure});
}

TEST(NotifyEvent, AWarnedOrStaleSourceIsAFreshnessWarning) {
  auto o = outcome("Succeeded");
  o.counts.freshness.warn = 1;
  EXPECT_EQ(events_of(o), (Events{Event::Success, Event::FreshnessWarn}));
  o.counts.freshness.warn = 0;
  o.counts.freshness.error = 2;
  EXPECT_EQ(events_of(o), (Events{Event::Success, Event::FreshnessWarn}));
}

TEST(NotifyEvent, AnomaliesMakeAnAnomalyEvent) {
  auto o = outcome("Succeeded");
  o.anomalies.push_back({"RowCount", "model.shop.fct_orders", "0 rows"});
  EXPECT_EQ(events_of(o), (Events{Event::Success, Event::Anomaly}));
}

TEST(NotifyEvent, ADestinationGetsOnlyItsEventsThatOccurred) {
  auto o = outcome("Failed");
  o.counts.tests.fail = 2;
  o.anomalies.push_back({"Duration", "", "slow"});
  EXPECT_EQ(events_to_send({Event::Anomaly, Event::TestFailure, Event::Success}, o),
            (Events{Event::TestFailure, Event::Anomaly}));
  EXPECT_TRUE(events_to_send({Event::Success, Event::FreshnessWarn}, o).empty());
}

}  // namespace
}  // namespace kubedbt::notify
