// Whether a failed dbt attempt is worth another try, and how long to wait before it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "runner/dbt/run_results.h"
#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

// What one dbt invocation left behind.
struct AttemptOutcome {
  int exit_code = 0;
  // The artifacts this very invocation wrote (matched by invocation id), if it wrote any.
  std::optional<InvocationResults> results;
  std::string fatal_error;  // MainEncounteredError text
  bool freshness = false;   // the command was `source freshness`
};

struct RetryDecision {
  enum class Verdict { Succeeded, Retry, Final };
  Verdict verdict = Verdict::Final;
  bool use_dbt_retry = false;  // `dbt retry` (from the failure) rather than the command again
  std::string reason;          // why, for the log and the status
};

// `retries_done` counts the retries already made for this command.
RetryDecision decide_retry(const AttemptOutcome& outcome, const RetrySpec& spec, int retries_done);

// Wait before retry number `retry` (1-based): backoff doubled each time, at most five minutes.
std::chrono::seconds backoff_before(int retry, const RetrySpec& spec);

}  // namespace kubedbt::runner
