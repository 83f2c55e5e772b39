// WorkQueue: dedup, one key never on two workers, delays, per-key backoff and the overall limit.
#include "operator/runtime/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

namespace kubedbt::op {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueue, DeduplicatesWaitingKeys) {
  WorkQueue q;
  q.add("ns/a");
  q.add("ns/a");
  q.add("ns/b");
  EXPECT_EQ(q.depth(), 2u);
  EXPECT_EQ(*q.get(), "ns/a");
  EXPECT_EQ(*q.get(), "ns/b");
}

TEST(WorkQueue, KeyAddedWhileProcessingIsHandedOutAgainOnlyAfterDone) {
  WorkQueue q;
  q.add("k");
  auto key = q.get();
  q.add("k");
  EXPECT_EQ(q.depth(), 0u) << "a key in processing must not be handed to a second worker";
  q.done(*key);
  EXPECT_EQ(q.depth(), 1u);
  EXPECT_EQ(*q.get(), "k");
}

TEST(WorkQueue, NeverProcessesOneKeyOnTwoWorkersAtOnce) {
  WorkQueue q;
  std::atomic<int> in_flight{0}, overlaps{0}, processed{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      while (auto key = q.get()) {
        if (++in_flight > 1) ++overlaps;
        std::this_thread::sleep_for(1ms);
        --in_flight;
        ++processed;
        q.done(*key);
      }
    });
  }
  for (int i = 0; i < 200; ++i) q.add("same");
  std::this_thread::sleep_for(100ms);
  q.shut_down();
  for (auto& t : workers) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(processed.load(), 1);
}

TEST(WorkQueue, AddAfterWaitsAndKeepsTheEarliestTime) {
  WorkQueue q;
  auto start = std::chrono::steady_clock::now();
  q.add_after("k", 10s);
  q.add_after("k", 30ms);
  EXPECT_EQ(q.waiting(), 1u);
  EXPECT_EQ(q.depth(), 0u);
  EXPECT_EQ(*q.get(), "k");
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 30ms);
  EXPECT_LT(waited, 5s) << "the later add_after must not have replaced the earlier one";
}

TEST(WorkQueue, BackoffDoublesFromTheBaseUpToTheCap) {
  WorkQueueOptions o;
  o.base_backoff = 5ms;
  o.max_backoff = 1000ms;
  WorkQueue q(o);
  EXPECT_EQ(q.backoff_for(1), 5ms);
  EXPECT_EQ(q.backoff_for(2), 10ms);
  EXPECT_EQ(q.backoff_for(5), 80ms);
  EXPECT_EQ(q.backoff_for(30), 1000ms);
}

TEST(WorkQueue, FailuresCountPerKeyAndForgetResetsThem) {
  WorkQueue q;
  q.add_rate_limited("a");
  q.add_rate_limited("a");
  q.add_rate_limited("b");
  EXPECT_EQ(q.failures("a"), 2);
  EXPECT_EQ(q.failures("b"), 1);
  q.forget("a");
  EXPECT_EQ(q.failures("a"), 0);
}

TEST(WorkQueue, OverallRateLimitDelaysRetriesBeyondTheBurst) {
  WorkQueueOptions o;
  o.base_backoff = 1ms;
  o.retries_per_second = 10;
  o.burst = 2;
  WorkQueue q(o);
  q.add_rate_limited("a");
  q.add_rate_limited("b");
  q.add_rate_limited("c");  // third token: ~100 ms away
  auto start = std::chrono::steady_clock::now();
  std::set<std::string> got;
  for (int i = 0; i < 3; ++i) {
    auto k = q.get();
    got.insert(*k);
    q.done(*k);
  }
  EXPECT_EQ(got.size(), 3u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST(WorkQueue, ShutDownWakesWorkers) {
  WorkQueue q;
  std::thread t([&] { EXPECT_FALSE(q.get().has_value()); });
  std::this_thread::sleep_for(20ms);
  q.shut_down();
  t.join();
}

}  // namespace
}  // namespace kubedbt::op
