// The events a destination subscribes to, and which of them a finished run produced.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "notify/run_outcome.h"

namespace kubedbt::notify {

enum class Event { Failure, Success, TestFailure, FreshnessWarn, Anomaly };

// The run spec's spelling: "failure", "success", "testFailure", "freshnessWarn", "anomaly".
const char* to_string(Event event);
std::optional<Event> parse_event(const std::string& name);

// Every event `outcome` produced, in the order of the Event enum:
// - failure: phase Failed, TimedOut or Cancelled. A cancelled run counts: its data was not
//   refreshed, and the usual causes (pod evicted, node drained, run replaced) reach nobody else;
// - success: phase Succeeded;
// - testFailure: a data test failed or errored (tests.fail + tests.error > 0);
// - freshnessWarn: a source freshness check warned or errored;
// - anomaly: the run was flagged against its history.
std::vector<Event> events_of(const RunOutcome& outcome);

// The events of `outcome` that a destination subscribed to (`subscribed`), in enum order.
std::vector<Event> events_to_send(const std::vector<Event>& subscribed, const RunOutcome& outcome);

}  // namespace kubedbt::notify
