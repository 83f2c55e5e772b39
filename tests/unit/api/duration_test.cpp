// Tests of the duration strings used by timeouts and status.
#include "api/duration.h"

#include <gtest/gtest.h>

namespace kubedbt::api {
namespace {

using std::chrono::seconds;

TEST(DurationTest, ParsesHoursMinutesSecondsInOrder) {
  EXPECT_EQ(parse_duration("90s"), seconds(90));
  EXPECT_EQ(parse_duration("45m"), seconds(2700));
  EXPECT_EQ(parse_duration("2h30m"), seconds(9000));
  EXPECT_EQ(parse_duration("1h0m5s"), seconds(3605));
  EXPECT_EQ(parse_duration("168h"), seconds(604800));
}

TEST(DurationTest, RejectsOtherShapes) {
  for (const char* bad :
       {"", "10", "h", "1d", "30m1h", "1h1h", "-5m", "+5m", "1.5h", "5 m", "5mm", "99999999999h"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(DurationTest, FormatsLikeGo) {
  EXPECT_EQ(format_duration(seconds(0)), "0s");
  EXPECT_EQ(format_duration(seconds(12)), "12s");
  EXPECT_EQ(format_duration(seconds(252)), "4m12s");
  EXPECT_EQ(format_duration(seconds(3605)), "1h0m5s");
  EXPECT_EQ(format_duration(seconds(-61)), "-1m1s");
}

}  // namespace
}  // namespace kubedbt::api
