// Lets an action through at most once per interval (status patches every 2 s at most).
#pragma once

#include <chrono>
#include <functional>
#include <optional>

namespace kubedbt::runner {

class Throttle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Throttle(
      std::chrono::milliseconds interval,
      std::function<Clock::time_point()> now = [] { return Clock::now(); });

  // True (and the interval restarts) when the last pass was at least `interval` ago.
  bool pass();

 private:
  std::chrono::milliseconds interval_;
  std::function<Clock::time_point()> now_;
  std::optional<Clock::time_point> last_;
};

}  // namespace kubedbt::runner
