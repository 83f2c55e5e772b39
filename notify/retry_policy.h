// How one destination is retried: exponential backoff on transient failures (connection errors,
// HTTP 5xx and 429, SMTP 4xx), Retry-After honoured when it fits, all within a time budget.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace kubedbt::notify {

using Millis = std::chrono::milliseconds;

struct RetryPolicy {
  int max_attempts = 5;
  Millis first_backoff{1000};  // doubled after each failed attempt ...
  Millis max_backoff{8000};    // ... up to this
  Millis budget{30000};        // total time for one destination, attempts and waits included
  Millis attempt_timeout{10000};
};

// What one attempt came to. `detail` is secret-free ("HTTP 503", "connection failed: ...").
struct AttemptResult {
  enum class Verdict { Delivered, Retryable, Permanent };
  Verdict verdict = Verdict::Permanent;
  std::string detail;
  std::optional<Millis> retry_after;  // the receiver asked for this wait (HTTP Retry-After)
};

struct DeliveryResult {
  bool delivered = false;
  int attempts = 0;
  std::string detail;  // the last attempt's detail, or why retrying stopped
};

// The clock and the sleep of the retry loop; tests pass a simulated pair.
struct Timing {
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
  std::function<void(Millis)> sleep;  // default: std::this_thread::sleep_for
};

// The backoff after the `attempts`-th failed attempt (1-based): first_backoff * 2^(attempts-1),
// capped at max_backoff.
Millis backoff_after(const RetryPolicy& policy, int attempts);

// Runs `attempt(timeout)` until it is delivered, fails permanently, runs out of attempts, or the
// next wait would end past the budget. Each attempt's timeout is the smaller of attempt_timeout
// and the budget left.
DeliveryResult deliver_with_retries(const RetryPolicy& policy,
                                    const std::function<AttemptResult(Millis timeout)>& attempt,
                                    const Timing& timing = {});

// An HTTP Retry-After value (delta-seconds or an IMF-fixdate) as a wait from `now`; nullopt when it
// is neither. A date in the past is a zero wait.
std::optional<Millis> parse_retry_after(const std::string& value,
                                        std::chrono::system_clock::time_point now);

}  // namespace kubedbt::notify
