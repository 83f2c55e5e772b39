// Interval throttle with an injectable clock.
#include "runner/os/throttle.h"

namespace kubedbt::runner {

Throttle::Throttle(std::chrono::milliseconds interval, std::function<Clock::time_point()> now)
    : interval_(interval), now_(std::move(now)) {}

bool Throttle::pass() {
  auto now = now_();
  if (last_ && now - *last_ < interval_) return false;
  last_ = now;
  return true;
}

}  // namespace kubedbt::runner
