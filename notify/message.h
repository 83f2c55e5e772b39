// The words of a run's notification, shared by every channel: a title, a plain-text body, the
// failures worth naming (capped) and the command that shows more.
#pragma once

#include <string>
#include <vector>

#include "notify/event.h"
#include "notify/run_outcome.h"

namespace kubedbt::notify {

struct Message {
  static constexpr size_t kMaxFailures = 10;         // failures named in a message
  static constexpr size_t kMaxFailureMessage = 300;  // characters of each failure's message

  std::string title;  // "[kubedbt] shop/prod: run data/nightly-1 failed (failure, testFailure)"
  std::string run;    // "data/nightly-1", or "local run" in local mode
  std::string text;   // the body, lines separated by "\n"
  std::vector<NodeFailure> failures;  // at most kMaxFailures, messages on one capped line
  size_t failures_omitted = 0;
  std::string describe_command;  // "kubectl describe dbtrun -n data nightly-1"; empty locally
};

Message compose_message(const RunOutcome& outcome, const std::vector<Event>& events);

// "a, b" for the events' run-spec names.
std::string event_list(const std::vector<Event>& events);

}  // namespace kubedbt::notify
