// The POSIX TZ rule that ends a TZif file ("CET-1CEST,M3.5.0,M10.5.0/3"): the offsets of every
// instant after the file's last explicit transition (RFC 8536 section 3.3).
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "api/timestamp.h"

namespace kubedbt::api {

// A time zone file or rule that cannot be read; what() says which part and why.
class TimeZoneError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The UTC offset in force over [begin, end).
struct OffsetPeriod {
  std::chrono::seconds offset{0};
  Timestamp begin = Timestamp::min();
  Timestamp end = Timestamp::max();
};

class PosixTzRule {
 public:
  // Parses a rule such as "EST5EDT,M3.2.0,M11.1.0" or "<+0330>-3:30"; throws TimeZoneError.
  static PosixTzRule parse(std::string_view text);

  // The offset in force at `t` and the rule's transitions around it.
  OffsetPeriod period_at(Timestamp t) const;

 private:
  // When in a year a change happens: Jn (1-365, no Feb 29), n (0-365) or Mm.w.d, plus the local
  // time of day (may be negative or above 24 hours, RFC 8536 section 3.3.1).
  struct ChangeDate {
    enum class Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int day = 0;
    int month = 0;
    int week = 0;
    int weekday = 0;
    std::chrono::seconds time_of_day{7200};
    // The instant of this change in `year`, for a wall clock at UTC offset `offset_before`.
    Timestamp in_year(int year, std::chrono::seconds offset_before) const;
  };
  struct Daylight {
    std::chrono::seconds offset{0};
    ChangeDate start;
    ChangeDate end;
  };

  std::chrono::seconds standard_offset_{0};
  std::optional<Daylight> daylight_;
};

}  // namespace kubedbt::api
