// The retry loop of one destination and the parsing of Retry-After.
#include "notify/retry_policy.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <thread>

namespace kubedbt::notify {

Millis backoff_after(const RetryPolicy& policy, int attempts) {
  Millis wait = policy.first_backoff;
  for (int i = 1; i < attempts && wait < policy.max_backoff; ++i) wait *= 2;
  return std::min(wait, policy.max_backoff);
}

DeliveryResult deliver_with_retries(const RetryPolicy& policy,
                                    const std::function<AttemptResult(Millis timeout)>& attempt,
                                    const Timing& timing) {
  auto sleep = timing.sleep ? timing.sleep : [](Millis m) { std::this_thread::sleep_for(m); };
  auto start = timing.now();
  auto left = [&] {
    return policy.budget - std::chrono::duration_cast<Millis>(timing.now() - start);
  };
  DeliveryResult result;
  while (true) {
    Millis timeout = std::min(policy.attempt_timeout, left());
    if (timeout <= Millis(0)) {
      result.detail += result.detail.empty() ? "" : "; ";
      result.detail +=
          "time budget of " + std::to_string(policy.budget.count() / 1000) + " s spent";
      return result;
    }
    AttemptResult r = attempt(timeout);
    ++result.attempts;
    result.detail = r.detail;
    if (r.verdict == AttemptResult::Verdict::Delivered) {
      result.delivered = true;
      return result;
    }
    if (r.verdict == AttemptResult::Verdict::Permanent) return result;
    if (result.attempts >= policy.max_attempts) {
      result.detail += "; gave up after " + std::to_string(result.attempts) + " attempts";
      return result;
    }
    Millis wait = r.retry_after ? *r.retry_after : backoff_after(policy, result.attempts);
    if (wait >= left()) {
      result.detail += r.retry_after ? "; the receiver asked to retry after " +
                                           std::to_string(r.retry_after->count() / 1000) +
                                           " s, beyond the time budget"
                                     : "; no time left in the budget for another attempt";
      return result;
    }
    sleep(wait);
  }
}

std::optional<Millis> parse_retry_after(const std::string& raw,
                                        std::chrono::system_clock::time_point now) {
  auto b = raw.find_first_not_of(" \t");
  auto e = raw.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;
  std::string value = raw.substr(b, e - b + 1);
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (value.size() > 9) return Millis(std::chrono::hours(24 * 365));
    return std::chrono::duration_cast<Millis>(std::chrono::seconds(std::stol(value)));
  }
  std::tm tm{};
  std::istringstream in(value);
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S GMT");
  if (in.fail()) return std::nullopt;
  auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (when <= now) return Millis(0);
  return std::chrono::duration_cast<Millis>(when - now);
}

}  // namespace kubedbt::notify
