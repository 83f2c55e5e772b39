// Tests of the cron + time-zone evaluator: syntax, robfig/cron semantics and the 2026 DST changes.
#include "api/cron_schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace kubedbt::api {
namespace {

using ::testing::HasSubstr;

Timestamp at(const char* rfc3339) {
  auto t = parse_timestamp(rfc3339);
  if (!t) throw std::runtime_error(std::string("bad test timestamp ") + rfc3339);
  return *t;
}

std::string next_after(const char* expr, const char* zone, const char* after) {
  auto next = CronSchedule::parse(expr, zone).next(at(after));
  return next ? format_timestamp(*next) : "never";
}

// The first `n` fire times after `after`.
std::vector<std::string> fires(const char* expr, const char* zone, const char* after, int n) {
  auto cron = CronSchedule::parse(expr, zone);
  std::vector<std::string> out;
  Timestamp t = at(after);
  for (int i = 0; i < n; ++i) {
    auto next = cron.next(t);
    if (!next) break;
    out.push_back(format_timestamp(*next));
    t = *next;
  }
  return out;
}

std::string parse_error(const char* expr, const char* zone = "UTC") {
  try {
    CronSchedule::parse(expr, zone);
  } catch (const CronError& e) {
    return e.what();
  }
  return "";
}

TEST(CronScheduleTest, EveryMinuteFiresOnTheNextWholeMinute) {
  EXPECT_EQ(next_after("* * * * *", "UTC", "2026-01-01T10:00:00Z"), "2026-01-01T10:01:00Z");
  EXPECT_EQ(next_after("* * * * *", "UTC", "2026-01-01T10:00:30Z"), "2026-01-01T10:01:00Z");
}

TEST(CronScheduleTest, NextIsStrictlyAfterTheGivenTime) {
  EXPECT_EQ(next_after("0 6 * * *", "UTC", "2026-01-01T06:00:00Z"), "2026-01-02T06:00:00Z");
  EXPECT_EQ(next_after("0 6 * * *", "UTC", "2026-01-01T05:59:59Z"), "2026-01-01T06:00:00Z");
}

TEST(CronScheduleTest, ListsRangesStepsAndNames) {
  EXPECT_EQ(fires("5/15 * * * *", "UTC", "2026-01-01T00:00:00Z", 4),
            (std::vector<std::string>{"2026-01-01T00:05:00Z", "2026-01-01T00:20:00Z",
                                      "2026-01-01T00:35:00Z", "2026-01-01T00:50:00Z"}));
  EXPECT_EQ(fires("0 8-10/2,23 * * *", "UTC", "2026-01-01T00:00:00Z", 3),
            (std::vector<std::string>{"2026-01-01T08:00:00Z", "2026-01-01T10:00:00Z",
                                      "2026-01-01T23:00:00Z"}));
  // 2026-01-01 is a Thursday; MON-fri in any case.
  EXPECT_EQ(next_after("0 9 * jan-Mar MON-fri", "UTC", "2026-01-02T10:00:00Z"),
            "2026-01-05T09:00:00Z");
  EXPECT_EQ(next_after("0 0 1 jun ?", "UTC", "2026-01-01T00:00:00Z"), "2026-06-01T00:00:00Z");
}

TEST(CronScheduleTest, RestrictedDayFieldsMatchEitherDay) {
  // Both restricted: the 13th OR any Friday. 2026-02-06 is a Friday.
  EXPECT_EQ(next_after("0 0 13 * 5", "UTC", "2026-02-01T00:00:00Z"), "2026-02-06T00:00:00Z");
  EXPECT_EQ(next_after("0 0 13 * 5", "UTC", "2026-02-07T00:00:00Z"), "2026-02-13T00:00:00Z");
  // A step over 1 clears the star mark, so "*/10" is restricted too: the 1st, 11th, 21st, 31st
  // or a Friday.
  EXPECT_EQ(next_after("0 0 */10 * 5", "UTC", "2026-02-01T00:00:00Z"), "2026-02-06T00:00:00Z");
  // A star in the day of month means both must match: Fridays only.
  EXPECT_EQ(next_after("0 0 * * 5", "UTC", "2026-02-01T00:00:00Z"), "2026-02-06T00:00:00Z");
  // An explicit 1-31 is a restriction, not a star: every day matches through the day of month.
  EXPECT_EQ(next_after("0 0 1-31 * 5", "UTC", "2026-02-01T00:00:00Z"), "2026-02-02T00:00:00Z");
}

TEST(CronScheduleTest, Macros) {
  EXPECT_EQ(next_after("@hourly", "UTC", "2026-05-05T10:20:00Z"), "2026-05-05T11:00:00Z");
  EXPECT_EQ(next_after("@daily", "UTC", "2026-05-05T10:20:00Z"), "2026-05-06T00:00:00Z");
  EXPECT_EQ(next_after("@midnight", "UTC", "2026-05-05T10:20:00Z"), "2026-05-06T00:00:00Z");
  // 2026-05-10 is a Sunday.
  EXPECT_EQ(next_after("@weekly", "UTC", "2026-05-05T10:20:00Z"), "2026-05-10T00:00:00Z");
  EXPECT_EQ(next_after("@monthly", "UTC", "2026-05-05T10:20:00Z"), "2026-06-01T00:00:00Z");
  EXPECT_EQ(next_after("@yearly", "UTC", "2026-05-05T10:20:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next_after("@annually", "UTC", "2026-05-05T10:20:00Z"), "2027-01-01T00:00:00Z");
}

TEST(CronScheduleTest, LeapDayFiresInTheNextLeapYear) {
  EXPECT_EQ(next_after("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z"), "2028-02-29T00:00:00Z");
}

TEST(CronScheduleTest, ImpossibleDateNeverFires) {
  EXPECT_EQ(next_after("0 0 30 2 *", "UTC", "2026-01-01T00:00:00Z"), "never");
  EXPECT_EQ(next_after("0 0 31 2 *", "Europe/Berlin", "2026-01-01T00:00:00Z"), "never");
  EXPECT_EQ(next_after("0 0 31 4,6,9,11 *", "UTC", "2026-01-01T00:00:00Z"), "never");
}

TEST(CronScheduleTest, EvaluatesInTheScheduleTimeZone) {
  // 06:00 in Berlin is 05:00Z in winter and 04:00Z in summer.
  EXPECT_EQ(next_after("0 6 * * *", "Europe/Berlin", "2026-01-15T12:00:00Z"),
            "2026-01-16T05:00:00Z");
  EXPECT_EQ(next_after("0 6 * * *", "Europe/Berlin", "2026-07-15T12:00:00Z"),
            "2026-07-16T04:00:00Z");
  EXPECT_EQ(next_after("0 6 * * *", "America/New_York", "2026-01-15T12:00:00Z"),
            "2026-01-16T11:00:00Z");
}

// Europe/Berlin, 2026-03-29: at 01:00Z the clocks jump from 02:00 CET to 03:00 CEST.
TEST(CronScheduleTest, BerlinSpringForwardSkipsTimesInTheGap) {
  EXPECT_EQ(fires("30 2 * * *", "Europe/Berlin", "2026-03-28T00:00:00Z", 3),
            (std::vector<std::string>{"2026-03-28T01:30:00Z",  // 02:30 CET
                                      "2026-03-30T00:30:00Z",  // 03-29 skipped; 02:30 CEST
                                      "2026-03-31T00:30:00Z"}));
  EXPECT_EQ(next_after("*/15 2 * * *", "Europe/Berlin", "2026-03-29T00:00:00Z"),
            "2026-03-30T00:00:00Z");
}

TEST(CronScheduleTest, BerlinSpringForwardNightlyRunKeepsItsWallClockTime) {
  EXPECT_EQ(fires("0 6 * * *", "Europe/Berlin", "2026-03-28T00:00:00Z", 3),
            (std::vector<std::string>{"2026-03-28T05:00:00Z", "2026-03-29T04:00:00Z",
                                      "2026-03-30T04:00:00Z"}));
  EXPECT_EQ(fires("0 0 * * *", "Europe/Berlin", "2026-03-27T23:00:00Z", 2),
            (std::vector<std::string>{"2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"}));
}

TEST(CronScheduleTest, BerlinSpringForwardHourlyHasNoTwoOClock) {
  EXPECT_EQ(fires("0 * * * *", "Europe/Berlin", "2026-03-28T23:30:00Z", 3),
            (std::vector<std::string>{"2026-03-29T00:00:00Z",     // 01:00 CET
                                      "2026-03-29T01:00:00Z",     // 03:00 CEST
                                      "2026-03-29T02:00:00Z"}));  // 04:00 CEST
}

// Europe/Berlin, 2026-10-25: at 01:00Z the clocks go back from 03:00 CEST to 02:00 CET.
TEST(CronScheduleTest, BerlinFallBackFiresTwiceInTheRepeatedHour) {
  EXPECT_EQ(fires("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 4),
            (std::vector<std::string>{"2026-10-25T00:30:00Z",  // 02:30 CEST
                                      "2026-10-25T01:30:00Z",  // 02:30 CET
                                      "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"}));
  EXPECT_EQ(fires("0 * * * *", "Europe/Berlin", "2026-10-24T23:30:00Z", 4),
            (std::vector<std::string>{"2026-10-25T00:00:00Z",  // 02:00 CEST
                                      "2026-10-25T01:00:00Z",  // 02:00 CET
                                      "2026-10-25T02:00:00Z",  // 03:00 CET
                                      "2026-10-25T03:00:00Z"}));
}

TEST(CronScheduleTest, BerlinFallBackNightlyRunFiresOnce) {
  EXPECT_EQ(fires("0 6 * * *", "Europe/Berlin", "2026-10-24T00:00:00Z", 3),
            (std::vector<std::string>{"2026-10-24T04:00:00Z", "2026-10-25T05:00:00Z",
                                      "2026-10-26T05:00:00Z"}));
  EXPECT_EQ(next_after("0 3 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z"),
            "2026-10-25T02:00:00Z");  // 03:00 CET, after both 02:xx hours
}

// America/New_York, 2026-03-08: at 07:00Z the clocks jump from 02:00 EST to 03:00 EDT.
TEST(CronScheduleTest, NewYorkSpringForwardSkipsTimesInTheGap) {
  EXPECT_EQ(fires("30 2 * * *", "America/New_York", "2026-03-07T00:00:00Z", 3),
            (std::vector<std::string>{"2026-03-07T07:30:00Z",  // 02:30 EST
                                      "2026-03-09T06:30:00Z",  // 03-08 skipped; 02:30 EDT
                                      "2026-03-10T06:30:00Z"}));
  EXPECT_EQ(fires("0 * * * *", "America/New_York", "2026-03-08T05:30:00Z", 3),
            (std::vector<std::string>{"2026-03-08T06:00:00Z",  // 01:00 EST
                                      "2026-03-08T07:00:00Z",  // 03:00 EDT
                                      "2026-03-08T08:00:00Z"}));
  // Weekday mornings straddling the change (2026-03-06 is a Friday).
  EXPECT_EQ(next_after("0 9 * * 1-5", "America/New_York", "2026-03-06T14:00:00Z"),
            "2026-03-09T13:00:00Z");
}

// America/New_York, 2026-11-01: at 06:00Z the clocks go back from 02:00 EDT to 01:00 EST.
TEST(CronScheduleTest, NewYorkFallBackFiresTwiceInTheRepeatedHour) {
  EXPECT_EQ(fires("30 1 * * *", "America/New_York", "2026-11-01T04:00:00Z", 3),
            (std::vector<std::string>{"2026-11-01T05:30:00Z",  // 01:30 EDT
                                      "2026-11-01T06:30:00Z",  // 01:30 EST
                                      "2026-11-02T06:30:00Z"}));
  EXPECT_EQ(fires("0 6 * * *", "America/New_York", "2026-10-31T00:00:00Z", 3),
            (std::vector<std::string>{"2026-10-31T10:00:00Z", "2026-11-01T11:00:00Z",
                                      "2026-11-02T11:00:00Z"}));
}

// America/Havana changes clocks at midnight (2026-03-08 00:00 -> 01:00), which exercises robfig's
// midnight correction. A political rule: tzdata 2025b still has Cuba fall back on 2026-11-01,
// later releases keep UTC-4. These values hold for the pinned release (2026f) the suites run on
// (TimeZoneDatabaseTest.SuitesRunOnThePinnedRelease), whatever tzdata the machine has; they were
// produced by robfig/cron v3.0.1 itself (Kubernetes' vendored version) with ZONEINFO set to it.
TEST(CronScheduleTest, MidnightTransitionsMatchRobfig) {
  EXPECT_EQ(fires("0 0 * * *", "America/Havana", "2026-03-06T12:00:00Z", 3),
            (std::vector<std::string>{"2026-03-07T05:00:00Z", "2026-03-09T04:00:00Z",
                                      "2026-03-10T04:00:00Z"}));
  EXPECT_EQ(fires("30 0 * * *", "America/Havana", "2026-03-07T12:00:00Z", 2),
            (std::vector<std::string>{"2026-03-09T04:30:00Z", "2026-03-10T04:30:00Z"}));
  EXPECT_EQ(fires("0 0 * * *", "America/Havana", "2026-10-31T12:00:00Z", 3),
            (std::vector<std::string>{"2026-11-01T04:00:00Z", "2026-11-02T04:00:00Z",
                                      "2026-11-03T04:00:00Z"}));
  EXPECT_EQ(fires("30 0 * * *", "America/Havana", "2026-10-31T12:00:00Z", 3),
            (std::vector<std::string>{"2026-11-01T04:30:00Z", "2026-11-02T04:30:00Z",
                                      "2026-11-03T04:30:00Z"}));
}

TEST(CronScheduleTest, RejectsMalformedExpressionsWithTheFieldAndFix) {
  EXPECT_THAT(parse_error(""), HasSubstr("empty"));
  EXPECT_THAT(parse_error("0 6 * *"), HasSubstr("has 4 fields; use five"));
  EXPECT_THAT(parse_error("0 0 6 * * *"), HasSubstr("has 6 fields; use five"));
  EXPECT_THAT(parse_error("60 * * * *"), HasSubstr("minute field \"60\" goes above 59; use 0-59"));
  EXPECT_THAT(parse_error("0 24 * * *"), HasSubstr("hour field \"24\" goes above 23; use 0-23"));
  EXPECT_THAT(parse_error("0 0 0 * *"),
              HasSubstr("day of month field \"0\" starts below 1; use 1-31"));
  EXPECT_THAT(parse_error("0 0 32 * *"), HasSubstr("day of month field \"32\" goes above 31"));
  EXPECT_THAT(parse_error("0 0 * 13 *"), HasSubstr("month field \"13\" goes above 12"));
  EXPECT_THAT(parse_error("0 0 * * 7"), HasSubstr("day of week field \"7\" goes above 6; use 0-6"));
  EXPECT_THAT(parse_error("0 0 * * funday"),
              HasSubstr("day of week field \"funday\" is not a number or a name"));
  EXPECT_THAT(parse_error("x * * * *"), HasSubstr("minute field \"x\" is not a number"));
  EXPECT_THAT(parse_error("5-1 * * * *"), HasSubstr("start is after its end"));
  EXPECT_THAT(parse_error("*/0 * * * *"), HasSubstr("step of 0"));
  EXPECT_THAT(parse_error("*/ * * * *"), HasSubstr("is not a number"));
  EXPECT_THAT(parse_error("1/2/3 * * * *"), HasSubstr("more than one '/'"));
  EXPECT_THAT(parse_error("1-2-3 * * * *"), HasSubstr("more than one '-'"));
  EXPECT_THAT(parse_error("1,,2 * * * *"), HasSubstr("empty list item"));
  EXPECT_THAT(parse_error("? * * * *"), HasSubstr("only the day fields accept"));
  EXPECT_THAT(parse_error("@every 1h"), HasSubstr("stands alone"));
  EXPECT_THAT(parse_error("@fortnightly"), HasSubstr("not a supported macro"));
  EXPECT_THAT(parse_error("TZ=UTC 0 6 * * *"), HasSubstr("put the zone in timeZone"));
  EXPECT_THAT(parse_error("CRON_TZ=UTC 0 6 * * *"), HasSubstr("sets CRON_TZ="));
}

TEST(CronScheduleTest, RejectsZonesMissingFromTheDatabase) {
  EXPECT_THAT(parse_error("0 6 * * *", "Mars/Olympus_Mons"),
              HasSubstr("\"Mars/Olympus_Mons\" is not in the tz database"));
  EXPECT_THAT(parse_error("0 6 * * *", ""), HasSubstr("time zone is empty"));
  EXPECT_EQ(CronSchedule::parse("0 6 * * *", "Europe/Berlin").zone().name(), "Europe/Berlin");
}

}  // namespace
}  // namespace kubedbt::api
