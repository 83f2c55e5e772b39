// The retry loop on a simulated clock: backoff, Retry-After, attempts and the time budget.
#include "notify/retry_policy.h"

#include <gtest/gtest.h>

namespace kubedbt::notify {
namespace {

using namespace std::chrono_literals;
using Verdict = AttemptResult::Verdict;

// A clock that moves only when the loop sleeps or an attempt takes time.
struct SimulatedTime {
  std::chrono::steady_clock::time_point now{};
  std::vector<Millis> sleeps;
  Timing timing() {
    Timing t;
    t.now = [this] { return now; };
    t.sleep = [this](Millis m) {
      sleeps.push_back(m);
      now += m;
    };
    return t;
  }
};

TEST(NotifyRetryPolicy, BackoffDoublesUpToTheCap) {
  RetryPolicy p;
  EXPECT_EQ(backoff_after(p, 1), 1000ms);
  EXPECT_EQ(backoff_after(p, 2), 2000ms);
  EXPECT_EQ(backoff_after(p, 3), 4000ms);
  EXPECT_EQ(backoff_after(p, 4), 8000ms);
  EXPECT_EQ(backoff_after(p, 9), 8000ms);
}

TEST(NotifyRetryPolicy, RetriesATransientFailureUntilDelivered) {
  SimulatedTime t;
  std::vector<Verdict> script = {Verdict::Retryable, Verdict::Retryable, Verdict::Delivered};
  size_t call = 0;
  auto r = deliver_with_retries(
      RetryPolicy{},
      [&](Millis) {
        return AttemptResult{script[call++], "x", std::nullopt};
      },
      t.timing());
  EXPECT_TRUE(r.delivered);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(t.sleeps, (std::vector<Millis>{1000ms, 2000ms}));
}

TEST(NotifyRetryPolicy, APermanentFailureIsNotRetried) {
  SimulatedTime t;
  auto r = deliver_with_retries(
      RetryPolicy{},
      [&](Millis) {
        return AttemptResult{Verdict::Permanent, "HTTP 404", {}};
      },
      t.timing());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.detail, "HTTP 404");
  EXPECT_TRUE(t.sleeps.empty());
}

TEST(NotifyRetryPolicy, GivesUpAfterMaxAttempts) {
  SimulatedTime t;
  auto r = deliver_with_retries(
      RetryPolicy{},
      [&](Millis) {
        return AttemptResult{Verdict::Retryable, "HTTP 503", {}};
      },
      t.timing());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 5);
  EXPECT_EQ(r.detail, "HTTP 503; gave up after 5 attempts");
  EXPECT_EQ(t.sleeps, (std::vector<Millis>{1000ms, 2000ms, 4000ms, 8000ms}));
}

TEST(NotifyRetryPolicy, HonoursRetryAfterWithinTheBudget) {
  SimulatedTime t;
  size_t call = 0;
  auto r = deliver_with_retries(
      RetryPolicy{},
      [&](Millis) {
        return call++ == 0 ? AttemptResult{Verdict::Retryable, "HTTP 429", 7000ms}
                           : AttemptResult{Verdict::Delivered, "HTTP 200", {}};
      },
      t.timing());
  EXPECT_TRUE(r.delivered);
  EXPECT_EQ(t.sleeps, std::vector<Millis>{7000ms});
}

TEST(NotifyRetryPolicy, ARetryAfterBeyondTheBudgetEndsTheDelivery) {
  SimulatedTime t;
  auto r = deliver_with_retries(
      RetryPolicy{},
      [&](Millis) {
        return AttemptResult{Verdict::Retryable, "HTTP 429", 120000ms};
      },
      t.timing());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.detail.find("retry after 120 s, beyond the time budget"), std::string::npos)
      << r.detail;
  EXPECT_TRUE(t.sleeps.empty());
}

TEST(NotifyRetryPolicy, SlowAttemptsStopAtTheBudgetAndEachAttemptGetsOnlyWhatIsLeft) {
  SimulatedTime t;
  RetryPolicy p;
  p.max_attempts = 100;
  std::vector<Millis> timeouts;
  auto r = deliver_with_retries(
      p,
      [&](Millis timeout) {
        timeouts.push_back(timeout);
        t.now += timeout;  // each attempt hangs until its timeout
        return AttemptResult{Verdict::Retryable, "connection failed: Timeout was reached", {}};
      },
      t.timing());
  EXPECT_FALSE(r.delivered);
  // 10 s, wait 1 s, 10 s, wait 2 s, then 7 s are left: the third attempt gets them.
  EXPECT_EQ(timeouts, (std::vector<Millis>{10000ms, 10000ms, 7000ms}));
  EXPECT_NE(r.detail.find("no time left in the budget"), std::string::npos) << r.detail;
  EXPECT_LE(t.now - std::chrono::steady_clock::time_point{}, p.budget);
}

TEST(NotifyRetryPolicy, ParsesRetryAfterSecondsAndDates) {
  auto now = std::chrono::system_clock::from_time_t(1700000000);  // Tue, 14 Nov 2023 22:13:20 GMT
  EXPECT_EQ(parse_retry_after("3", now), Millis(3000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), Millis(0));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now), Millis(30000));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), Millis(0));
  EXPECT_FALSE(parse_retry_after("soon", now).has_value());
  EXPECT_FALSE(parse_retry_after("", now).has_value());
}

}  // namespace
}  // namespace kubedbt::notify
