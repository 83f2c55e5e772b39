// Parsing the POSIX TZ rule of a TZif footer and finding the offset it gives an instant.
#include "api/posix_tz_rule.h"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace kubedbt::api {
namespace {

using std::chrono::seconds;

// Reads the rule left to right; every failure names the rule and the position.
class RuleReader {
 public:
  explicit RuleReader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool accept(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw TimeZoneError("time zone rule \"" + std::string(text_) + "\": " + what + " at position " +
                        std::to_string(pos_));
  }

  // A zone abbreviation: three or more letters, or any text in angle brackets.
  void skip_name() {
    if (accept('<')) {
      auto close = text_.find('>', pos_);
      if (close == std::string_view::npos) fail("'<' is never closed");
      pos_ = close + 1;
      return;
    }
    std::size_t start = pos_;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (pos_ - start < 3) fail("expected a zone abbreviation of three or more letters");
  }

  int number(int max) {
    std::size_t start = pos_;
    int value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      value = value * 10 + (text_[pos_] - '0');
      if (value > max) fail("a number above " + std::to_string(max));
      ++pos_;
    }
    if (pos_ == start) fail("expected a number");
    return value;
  }

  // [+|-]hh[:mm[:ss]], as written (POSIX offsets count west of UTC as positive).
  seconds signed_hms(int max_hours) {
    int sign = 1;
    if (accept('-')) {
      sign = -1;
    } else {
      accept('+');
    }
    seconds value = std::chrono::hours(number(max_hours));
    if (accept(':')) {
      value += std::chrono::minutes(number(59));
      if (accept(':')) value += seconds(number(59));
    }
    return sign * value;
  }

  bool starts_offset() const {
    return pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '+' || text_[pos_] == '-');
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

date::sys_days first_of_year(int year) { return date::sys_days{date::year{year} / 1 / 1}; }

}  // namespace

Timestamp PosixTzRule::ChangeDate::in_year(int year, seconds offset_before) const {
  date::sys_days day_start;
  switch (kind) {
    case Kind::kJulianNoLeap: {
      bool after_leap_day = date::year{year}.is_leap() && day >= 60;
      day_start = first_of_year(year) + date::days{day - 1 + (after_leap_day ? 1 : 0)};
      break;
    }
    case Kind::kZeroBasedDay:
      day_start = first_of_year(year) + date::days{day};
      break;
    case Kind::kMonthWeekDay: {
      auto month_start =
          date::sys_days{date::year{year} / date::month(static_cast<unsigned>(month)) / 1};
      auto first_weekday = date::weekday{month_start}.c_encoding();
      int first_match = static_cast<int>((weekday - static_cast<int>(first_weekday) + 7) % 7);
      auto last_day =
          date::year_month_day_last{date::year{year} / date::month(static_cast<unsigned>(month)) /
                                    date::last}
              .day();
      int day_of_month = 1 + first_match + (week - 1) * 7;
      if (day_of_month > static_cast<int>(static_cast<unsigned>(last_day))) day_of_month -= 7;
      day_start = month_start + date::days{day_of_month - 1};
      break;
    }
  }
  return Timestamp{day_start} + time_of_day - offset_before;
}

PosixTzRule PosixTzRule::parse(std::string_view text) {
  RuleReader in(text);
  PosixTzRule rule;
  in.skip_name();
  rule.standard_offset_ = -in.signed_hms(24);
  if (in.done()) return rule;

  Daylight daylight;
  in.skip_name();
  daylight.offset =
      in.starts_offset() ? -in.signed_hms(24) : rule.standard_offset_ + std::chrono::hours(1);
  auto change = [&in]() {
    ChangeDate d;
    if (in.accept('M')) {
      d.kind = ChangeDate::Kind::kMonthWeekDay;
      d.month = in.number(12);
      if (d.month < 1) in.fail("month 0; use 1-12");
      if (!in.accept('.')) in.fail("expected '.' after the month");
      d.week = in.number(5);
      if (d.week < 1) in.fail("week 0; use 1-5");
      if (!in.accept('.')) in.fail("expected '.' after the week");
      d.weekday = in.number(6);
    } else if (in.accept('J')) {
      d.kind = ChangeDate::Kind::kJulianNoLeap;
      d.day = in.number(365);
      if (d.day < 1) in.fail("day J0; use J1-J365");
    } else {
      d.kind = ChangeDate::Kind::kZeroBasedDay;
      d.day = in.number(365);
    }
    if (in.accept('/')) d.time_of_day = in.signed_hms(167);
    return d;
  };
  if (in.accept(',')) {
    daylight.start = change();
    if (!in.accept(',')) in.fail("expected ',' before the end of daylight time");
    daylight.end = change();
  } else {
    // POSIX leaves a rule-less daylight zone to the implementation; the US rules, as glibc does.
    daylight.start = ChangeDate{ChangeDate::Kind::kMonthWeekDay, 0, 3, 2, 0, seconds(7200)};
    daylight.end = ChangeDate{ChangeDate::Kind::kMonthWeekDay, 0, 11, 1, 0, seconds(7200)};
  }
  if (!in.done()) in.fail("unexpected text");
  rule.daylight_ = daylight;
  return rule;
}

OffsetPeriod PosixTzRule::period_at(Timestamp t) const {
  if (!daylight_) return OffsetPeriod{standard_offset_, Timestamp::min(), Timestamp::max()};
  struct Change {
    Timestamp at;
    seconds offset_after;
  };
  int year = static_cast<int>(date::year_month_day{date::floor<date::days>(t)}.year());
  // The changes of the year before, this one and the next: enough on both sides of `t`.
  std::array<Change, 6> changes;
  for (int i = 0; i < 3; ++i) {
    int y = year - 1 + i;
    changes[2 * i] = {daylight_->start.in_year(y, standard_offset_), daylight_->offset};
    changes[2 * i + 1] = {daylight_->end.in_year(y, daylight_->offset), standard_offset_};
  }
  // Stable: where an end and the next start meet (daylight time all year), the start wins.
  std::stable_sort(changes.begin(), changes.end(),
                   [](const Change& a, const Change& b) { return a.at < b.at; });
  auto after = std::upper_bound(changes.begin(), changes.end(), t,
                                [](Timestamp value, const Change& c) { return value < c.at; });
  // The previous year's changes always precede `t`, so `after` is never the first.
  OffsetPeriod period{std::prev(after)->offset_after, std::prev(after)->at, Timestamp::max()};
  if (after != changes.end()) period.end = after->at;
  return period;
}

}  // namespace kubedbt::api
