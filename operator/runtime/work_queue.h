// A work queue of object keys, like client-go's rate-limited delaying queue: it deduplicates,
// never hands one key to two workers at once, delays keys (AddAfter) and backs off failing keys.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace kubedbt::op {

struct WorkQueueOptions {
  // A failing key waits base_backoff * 2^(failures-1), at most max_backoff.
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(300)};
  // Overall limit on retries of failing keys: a token bucket of `burst` tokens refilled at
  // `retries_per_second`.
  double retries_per_second = 10;
  int burst = 100;
};

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WorkQueue(WorkQueueOptions options = {});
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` unless it is already waiting; a key being processed is queued again when done.
  void add(const std::string& key);
  // Queues `key` after `delay`; an earlier pending time for the same key wins.
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  // Queues `key` after its own exponential backoff and the overall rate limit.
  void add_rate_limited(const std::string& key);
  // Clears the failure count of `key` (after a successful reconcile).
  void forget(const std::string& key);
  int failures(const std::string& key) const;

  // Blocks until a key is ready or the queue shuts down (std::nullopt). The caller owns the key
  // until it calls done(key).
  std::optional<std::string> get();
  void done(const std::string& key);

  // Wakes every get(); keys still queued are dropped.
  void shut_down();
  bool shutting_down() const;

  // Keys ready to be handed out (the queue depth metric).
  std::size_t depth() const;
  // Keys waiting for a delay to pass.
  std::size_t waiting() const;

  // The delay add_rate_limited would choose next for `key` (no side effect); for tests.
  std::chrono::milliseconds backoff_for(int failures) const;

 private:
  void enqueue_locked(const std::string& key);
  void promote_due_locked(Clock::time_point now);
  std::chrono::milliseconds take_token_locked(Clock::time_point now);

  WorkQueueOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued (or to be re-queued after processing)
  std::set<std::string> processing_;  // handed to a worker
  std::map<std::string, Clock::time_point> waiting_;  // key -> when it becomes ready
  std::map<std::string, int> failures_;
  double tokens_;
  Clock::time_point last_refill_;
  bool shutting_down_ = false;
};

}  // namespace kubedbt::op
