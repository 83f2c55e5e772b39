// Work queue: dedup set + processing set + delayed map, with per-key backoff and a token bucket.
#include "operator/runtime/work_queue.h"

#include <algorithm>
#include <cmath>

namespace kubedbt::op {

WorkQueue::WorkQueue(WorkQueueOptions options)
    : options_(options), tokens_(options.burst), last_refill_(Clock::now()) {}

void WorkQueue::enqueue_locked(const std::string& key) {
  if (shutting_down_) return;
  if (!dirty_.insert(key).second) return;
  waiting_.erase(key);
  if (processing_.count(key)) return;  // done() puts it back
  queue_.push_back(key);
  ready_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mutex_);
  enqueue_locked(key);
}

void WorkQueue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return;
  if (delay <= std::chrono::milliseconds::zero()) {
    enqueue_locked(key);
    return;
  }
  if (dirty_.count(key)) return;  // it runs sooner anyway
  auto at = Clock::now() + delay;
  auto [it, inserted] = waiting_.emplace(key, at);
  if (!inserted && at < it->second) it->second = at;
  ready_.notify_all();  // a sleeper may need to wake earlier
}

std::chrono::milliseconds WorkQueue::backoff_for(int failures) const {
  if (failures <= 0) return std::chrono::milliseconds::zero();
  double ms = static_cast<double>(options_.base_backoff.count()) * std::pow(2.0, failures - 1);
  double cap = static_cast<double>(options_.max_backoff.count());
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(ms, cap)));
}

std::chrono::milliseconds WorkQueue::take_token_locked(Clock::time_point now) {
  double elapsed = std::chrono::duration<double>(now - last_refill_).count();
  tokens_ = std::min<double>(options_.burst, tokens_ + elapsed * options_.retries_per_second);
  last_refill_ = now;
  tokens_ -= 1;
  if (tokens_ >= 0) return std::chrono::milliseconds::zero();
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::ceil(-tokens_ / options_.retries_per_second * 1000)));
}

void WorkQueue::add_rate_limited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mutex_);
    int n = ++failures_[key];
    delay = std::max(backoff_for(n), take_token_locked(Clock::now()));
  }
  add_after(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int WorkQueue::failures(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promote_due_locked(Clock::time_point now) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second <= now) {
      std::string key = it->first;
      it = waiting_.erase(it);
      enqueue_locked(key);
    } else {
      ++it;
    }
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    auto now = Clock::now();
    promote_due_locked(now);
    if (!queue_.empty()) break;
    if (waiting_.empty()) {
      ready_.wait(lock);
    } else {
      auto earliest = std::min_element(waiting_.begin(), waiting_.end(), [](auto& a, auto& b) {
                        return a.second < b.second;
                      })->second;
      ready_.wait_until(lock, earliest);
    }
  }
  std::string key = queue_.front();
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutting_down_) {
    queue_.push_back(key);
    ready_.notify_one();
  }
}

void WorkQueue::shut_down() {
  std::lock_guard lock(mutex_);
  shutting_down_ = true;
  queue_.clear();
  waiting_.clear();
  dirty_.clear();
  ready_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mutex_);
  return shutting_down_;
}

std::size_t WorkQueue::depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t WorkQueue::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

}  // namespace kubedbt::op
