// Sends a finished run's notifications: for each destination, one message listing its events that
// occurred, retried within the destination's and the run's time budgets. Never throws: a receiver
// that is down or a destination that is misconfigured is logged (by index and kind, never the URL)
// and reported, and the run's outcome stays as it was.
#pragma once

#include <string>
#include <vector>

#include "notify/destination.h"
#include "notify/environment.h"
#include "notify/retry_policy.h"
#include "notify/run_outcome.h"

namespace kubedbt::notify {

struct DispatchOptions {
  RetryPolicy policy;        // per destination
  Millis run_budget{60000};  // all destinations of the run together
  Timing timing;
};

struct DeliveryReport {
  size_t index = 0;  // position in the run spec's notifications
  std::string kind;  // slack | email | webhook
  std::vector<Event> events;
  bool delivered = false;
  int attempts = 0;
  std::string detail;  // secret-free
};

// Reports only the destinations with at least one of their events in `outcome`.
std::vector<DeliveryReport> dispatch(const std::vector<Destination>& destinations,
                                     const RunOutcome& outcome, const Environment& env,
                                     const DispatchOptions& options = {});

}  // namespace kubedbt::notify
