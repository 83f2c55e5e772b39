// Cron schedules in a time zone, evaluated exactly as Kubernetes CronJob does (robfig/cron v3).
//
// Accepted syntax is CronJob's: five fields (minute hour day-of-month month day-of-week) with
// `*`, `?` (day fields), lists `a,b`, ranges `a-b`, steps `*/n`, `a-b/n` and `a/n` (= a-max/n),
// month names JAN-DEC and day names SUN-SAT in any case, day-of-week 0-6 (Sunday = 0); or one of
// the macros @yearly @annually @monthly @weekly @daily @midnight @hourly. When both day fields
// are restricted a day matches if EITHER matches; if either starts with `*` or `?`, BOTH must.
//
// Daylight-saving transitions behave like robfig/cron's SpecSchedule.Next, which CronJob uses:
// hours and minutes are stepped in absolute time, so
//  - spring forward: wall-clock times inside the gap never occur and are skipped, not moved
//    (Europe/Berlin 2026-03-29: "30 2 * * *" does not fire that day; next is 03-30 02:30);
//  - fall back: wall-clock times inside the repeated hour occur twice and fire twice
//    (Europe/Berlin 2026-10-25: "30 2 * * *" fires at 02:30 CEST and again at 02:30 CET);
//  - a schedule that finds no time within five years of `after` never fires (e.g. "0 0 30 2 *").
// Calendar steps (next day / next month) go through Go's time.Date rule for local times: a time
// in a gap resolves with the offset in force before it (so it lands after the gap), an
// ambiguous time resolves with the offset found by looking the wall-clock time up as if it were
// UTC. Midnight that does not exist is corrected like robfig does (hour 1 -> back one hour).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "api/time_zone.h"
#include "api/timestamp.h"

namespace kubedbt::api {

// A schedule or time zone that cannot be used; what() says which part and why.
class CronError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CronSchedule {
 public:
  // Parses `expression` for the IANA zone `time_zone` (looked up in time_zone_database()).
  static CronSchedule parse(std::string_view expression, std::string_view time_zone);

  // The first fire time strictly after `after`; std::nullopt when there is none within five
  // years (robfig/cron returns the zero time there; CronJob then never runs).
  std::optional<Timestamp> next(Timestamp after) const;

  const TimeZone& zone() const { return *zone_; }

 private:
  CronSchedule() = default;
  bool day_matches(unsigned day, unsigned weekday) const;

  std::uint64_t minute_ = 0;
  std::uint64_t hour_ = 0;
  std::uint64_t day_of_month_ = 0;
  std::uint64_t month_ = 0;
  std::uint64_t day_of_week_ = 0;
  const TimeZone* zone_ = nullptr;
};

// Looks a zone up in time_zone_database(); throws CronError naming the zone when it is missing.
const TimeZone& locate_time_zone(std::string_view name);

}  // namespace kubedbt::api
