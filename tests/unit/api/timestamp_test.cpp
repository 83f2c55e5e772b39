// Tests of RFC 3339 timestamp parsing and formatting.
#include "api/timestamp.h"

#include <gtest/gtest.h>

namespace kubedbt::api {
namespace {

TEST(TimestampTest, FormatsAsTheApiServerDoes) {
  Timestamp t{std::chrono::sys_days{std::chrono::year{2026} / 3 / 29} + std::chrono::hours(1)};
  EXPECT_EQ(format_timestamp(t), "2026-03-29T01:00:00Z");
}

TEST(TimestampTest, ParsesZuluOffsetsAndFractions) {
  auto z = parse_timestamp("2026-03-29T01:00:00Z");
  ASSERT_TRUE(z);
  EXPECT_EQ(parse_timestamp("2026-03-29T03:00:00+02:00"), z);
  EXPECT_EQ(parse_timestamp("2026-03-28T20:00:00-05:00"), z);
  EXPECT_EQ(parse_timestamp("2026-03-29T01:00:00.123456Z"), z);
  EXPECT_EQ(format_timestamp(*parse_timestamp("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
}

TEST(TimestampTest, RejectsWhatIsNotRfc3339) {
  for (const char* bad : {"", "2026-03-29", "2026-03-29 01:00:00Z", "2026-03-29T01:00:00",
                          "2026-02-30T00:00:00Z", "2026-03-29T25:00:00Z", "2026-03-29T01:00:00Zx",
                          "2026-03-29T01:00:00+0200", "2026-03-29T01:00:00.Z", "yesterday"}) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
}

}  // namespace
}  // namespace kubedbt::api
