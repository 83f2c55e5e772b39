// Event names and the selection of a run's events.
#include "notify/event.h"

#include <algorithm>
#include <utility>

namespace kubedbt::notify {
namespace {

constexpr std::pair<Event, const char*> kNames[] = {{Event::Failure, "failure"},
                                                    {Event::Success, "success"},
                                                    {Event::TestFailure, "testFailure"},
                                                    {Event::FreshnessWarn, "freshnessWarn"},
                                                    {Event::Anomaly, "anomaly"}};

}  // namespace

const char* to_string(Event event) {
  for (const auto& [e, name] : kNames) {
    if (e == event) return name;
  }
  return "unknown";
}

std::optional<Event> parse_event(const std::string& name) {
  for (const auto& [e, n] : kNames) {
    if (name == n) return e;
  }
  return std::nullopt;
}

std::vector<Event> events_of(const RunOutcome& o) {
  std::vector<Event> events;
  if (o.phase == "Failed" || o.phase == "TimedOut" || o.phase == "Cancelled") {
    events.push_back(Event::Failure);
  }
  if (o.phase == "Succeeded") events.push_back(Event::Success);
  if (o.counts.tests.fail + o.counts.tests.error > 0) events.push_back(Event::TestFailure);
  if (o.counts.freshness.warn + o.counts.freshness.error > 0) {
    events.push_back(Event::FreshnessWarn);
  }
  if (!o.anomalies.empty()) events.push_back(Event::Anomaly);
  return events;
}

std::vector<Event> events_to_send(const std::vector<Event>& subscribed, const RunOutcome& outcome) {
  std::vector<Event> selected;
  for (Event e : events_of(outcome)) {
    if (std::find(subscribed.begin(), subscribed.end(), e) != subscribed.end()) {
      selected.push_back(e);
    }
  }
  return selected;
}

}  // namespace kubedbt::notify
