// The status throttle, on a hand-driven clock.
#include "runner/os/throttle.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

TEST(ThrottleTest, PassesAtMostOncePerInterval) {
  Throttle::Clock::time_point now{};
  Throttle t(std::chrono::seconds(2), [&] { return now; });
  EXPECT_TRUE(t.pass());
  now += std::chrono::milliseconds(1999);
  EXPECT_FALSE(t.pass());
  now += std::chrono::milliseconds(1);
  EXPECT_TRUE(t.pass());
  EXPECT_FALSE(t.pass());
}

}  // namespace
}  // namespace kubedbt::runner
