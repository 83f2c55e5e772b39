// Tests of the POSIX TZ rules of TZif footers: both hemispheres, all date forms, errors.
#include "api/posix_tz_rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubedbt::api {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::HasSubstr;

Timestamp at(const char* rfc3339) { return parse_timestamp(rfc3339).value(); }

std::string rule_error(const char* text) {
  try {
    PosixTzRule::parse(text);
  } catch (const TimeZoneError& e) {
    return e.what();
  }
  return "";
}

TEST(PosixTzRuleTest, FixedOffsetsCountWestOfUtcAsPositive) {
  EXPECT_EQ(PosixTzRule::parse("UTC0").period_at(at("2026-06-01T00:00:00Z")).offset, hours(0));
  EXPECT_EQ(PosixTzRule::parse("<+0330>-3:30").period_at(at("2026-06-01T00:00:00Z")).offset,
            hours(3) + minutes(30));
  EXPECT_EQ(PosixTzRule::parse("<-03>3").period_at(at("2026-06-01T00:00:00Z")).offset, hours(-3));
  auto fixed = PosixTzRule::parse("JST-9").period_at(at("2026-06-01T00:00:00Z"));
  EXPECT_EQ(fixed.begin, Timestamp::min());
  EXPECT_EQ(fixed.end, Timestamp::max());
}

TEST(PosixTzRuleTest, NorthernDaylightTimeStartsAndEndsAtLocalTimes) {
  auto berlin = PosixTzRule::parse("CET-1CEST,M3.5.0,M10.5.0/3");
  // 2026-03-29 02:00 CET and 2026-10-25 03:00 CEST, both 01:00 UTC.
  auto summer = berlin.period_at(at("2026-07-01T00:00:00Z"));
  EXPECT_EQ(summer.offset, hours(2));
  EXPECT_EQ(summer.begin, at("2026-03-29T01:00:00Z"));
  EXPECT_EQ(summer.end, at("2026-10-25T01:00:00Z"));
  EXPECT_EQ(berlin.period_at(at("2026-03-29T00:59:59Z")).offset, hours(1));
  EXPECT_EQ(berlin.period_at(at("2026-03-29T01:00:00Z")).offset, hours(2));
  auto winter = berlin.period_at(at("2026-12-01T00:00:00Z"));
  EXPECT_EQ(winter.offset, hours(1));
  EXPECT_EQ(winter.begin, at("2026-10-25T01:00:00Z"));
  EXPECT_EQ(winter.end, at("2027-03-28T01:00:00Z"));
}

TEST(PosixTzRuleTest, SouthernDaylightTimeSpansTheNewYear) {
  auto sydney = PosixTzRule::parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
  auto summer = sydney.period_at(at("2027-01-15T00:00:00Z"));
  EXPECT_EQ(summer.offset, hours(11));
  EXPECT_EQ(summer.begin, at("2026-10-03T16:00:00Z"));  // 2026-10-04 02:00 AEST
  EXPECT_EQ(summer.end, at("2027-04-03T16:00:00Z"));    // 2027-04-04 03:00 AEDT
  EXPECT_EQ(sydney.period_at(at("2026-07-01T00:00:00Z")).offset, hours(10));
}

TEST(PosixTzRuleTest, FifthWeekMeansTheLastSuchWeekday) {
  // October 2027 has five Sundays; M10.5.0 is the last, the 31st (in 2026 it is the 25th).
  auto rule = PosixTzRule::parse("CET-1CEST,M3.5.0,M10.5.0/3");
  EXPECT_EQ(rule.period_at(at("2027-07-01T00:00:00Z")).end, at("2027-10-31T01:00:00Z"));
}

TEST(PosixTzRuleTest, JulianDaysSkipOrCountTheLeapDay) {
  // J60 is March 1 in every year; day 59 (zero-based) is Feb 29 in a leap year.
  auto julian = PosixTzRule::parse("AAA0BBB,J60/0,J300/0").period_at(at("2028-06-01T00:00:00Z"));
  EXPECT_EQ(julian.begin, at("2028-03-01T00:00:00Z"));
  auto zero_based = PosixTzRule::parse("AAA0BBB,59/0,300/0").period_at(at("2028-06-01T00:00:00Z"));
  EXPECT_EQ(zero_based.begin, at("2028-02-29T00:00:00Z"));
  EXPECT_EQ(zero_based.offset, hours(1));  // daylight defaults to one hour ahead
}

TEST(PosixTzRuleTest, DaylightTimeAllYearNeverFallsBack) {
  // RFC 8536's example of permanent daylight time: the end meets the next start.
  auto rule = PosixTzRule::parse("EST5EDT,0/0,J365/25");
  for (const char* t : {"2026-01-01T05:00:00Z", "2026-06-01T00:00:00Z", "2026-12-31T23:00:00Z",
                        "2027-01-01T04:30:00Z", "2027-01-01T05:00:00Z"}) {
    EXPECT_EQ(rule.period_at(at(t)).offset, hours(-4)) << t;
  }
}

TEST(PosixTzRuleTest, TimesOfDayMayBeNegativeOrBeyondADay) {
  // America/Nuuk's rule: daylight time starts at 23:00 on the Saturday before the last Sunday.
  auto rule = PosixTzRule::parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  EXPECT_EQ(rule.period_at(at("2026-07-01T00:00:00Z")).begin, at("2026-03-29T01:00:00Z"));
  auto week_later = PosixTzRule::parse("XXX0YYY,M3.5.0/167,M10.5.0/0");
  EXPECT_EQ(week_later.period_at(at("2026-07-01T00:00:00Z")).begin, at("2026-04-04T23:00:00Z"));
}

TEST(PosixTzRuleTest, RejectsMalformedRulesNamingTheRule) {
  EXPECT_THAT(rule_error(""), HasSubstr("three or more letters"));
  EXPECT_THAT(rule_error("CET"), HasSubstr("expected a number"));
  EXPECT_THAT(rule_error("CET-1CEST,M13.5.0,M10.5.0"), HasSubstr("above 12"));
  EXPECT_THAT(rule_error("CET-1CEST,M3.5.0"), HasSubstr("expected ','"));
  EXPECT_THAT(rule_error("<+01-1"), HasSubstr("never closed"));
  EXPECT_THAT(rule_error("CET-1CEST,M3.5.0,M10.5.0 x"),
              HasSubstr("\"CET-1CEST,M3.5.0,M10.5.0 x\""));
}

}  // namespace
}  // namespace kubedbt::api
