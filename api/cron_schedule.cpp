// Parsing and next-fire-time evaluation of cron schedules in a time zone (robfig/cron v3 rules).
#include "api/cron_schedule.h"

#include <date/date.h>

#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <sstream>
#include <vector>

#include "api/time_zone_database.h"
#include "api/validation_rules.h"

namespace kubedbt::api {

namespace {

constexpr std::uint64_t kStarBit = std::uint64_t{1} << 63;

struct FieldSpec {
  std::string_view label;  // "minute", for messages
  unsigned min;
  unsigned max;
  const std::map<std::string, unsigned>* names;
};

const std::map<std::string, unsigned> kMonthNames = {
    {"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4},  {"may", 5},  {"jun", 6},
    {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}};
const std::map<std::string, unsigned> kDayNames = {{"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3},
                                                   {"thu", 4}, {"fri", 5}, {"sat", 6}};

const std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, nullptr},
    {"hour", 0, 23, nullptr},
    {"day of month", 1, 31, nullptr},
    {"month", 1, 12, &kMonthNames},
    {"day of week", 0, 6, &kDayNames},
}};

std::uint64_t bits_between(unsigned low, unsigned high, unsigned step) {
  std::uint64_t bits = 0;
  for (unsigned i = low; i <= high; i += step) bits |= std::uint64_t{1} << i;
  return bits;
}

std::uint64_t all_bits(const FieldSpec& f) { return bits_between(f.min, f.max, 1) | kStarBit; }

[[noreturn]] void field_error(const FieldSpec& f, std::string_view item, const std::string& why) {
  throw CronError("the " + std::string(f.label) + " field \"" + std::string(item) + "\" " + why);
}

unsigned parse_number(const FieldSpec& f, std::string_view item, std::string_view text) {
  if (f.names != nullptr) {
    auto it = f.names->find(rules::lower(text));
    if (it != f.names->end()) return it->second;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    field_error(f, item,
                "is not a number" + std::string(f.names ? " or a name" : "") + " (\"" +
                    std::string(text) + "\")");
  }
  return value;
}

// One comma-separated item: `*`, `?`, `n`, `a-b`, each optionally `/step`.
std::uint64_t parse_range(const FieldSpec& f, std::string_view item) {
  if (item.empty()) field_error(f, item, "has an empty list item");
  std::string_view range = item, step_text;
  if (auto slash = item.find('/'); slash != std::string_view::npos) {
    range = item.substr(0, slash);
    step_text = item.substr(slash + 1);
    if (step_text.find('/') != std::string_view::npos)
      field_error(f, item, "has more than one '/'");
  }
  unsigned low = 0, high = 0;
  std::uint64_t extra = 0;
  bool single = false;
  if (range == "*" || range == "?") {
    if (range == "?" && f.label != "day of month" && f.label != "day of week") {
      field_error(f, item, "uses '?', which only the day fields accept");
    }
    low = f.min;
    high = f.max;
    extra = kStarBit;
  } else {
    auto dash = range.find('-');
    if (dash == std::string_view::npos) {
      low = high = parse_number(f, item, range);
      single = true;
    } else {
      if (range.find('-', dash + 1) != std::string_view::npos) {
        field_error(f, item, "has more than one '-'");
      }
      low = parse_number(f, item, range.substr(0, dash));
      high = parse_number(f, item, range.substr(dash + 1));
    }
  }
  unsigned step = 1;
  if (item.find('/') != std::string_view::npos) {
    step = parse_number(FieldSpec{f.label, 0, 0, nullptr}, item, step_text);
    if (single) high = f.max;  // "n/step" means "n-max/step"
    if (step > 1) extra = 0;
  }
  if (low < f.min) {
    field_error(f, item,
                "starts below " + std::to_string(f.min) + "; use " + std::to_string(f.min) + "-" +
                    std::to_string(f.max));
  }
  if (high > f.max) {
    field_error(f, item,
                "goes above " + std::to_string(f.max) + "; use " + std::to_string(f.min) + "-" +
                    std::to_string(f.max));
  }
  if (low > high) field_error(f, item, "is a range whose start is after its end");
  if (step == 0) field_error(f, item, "has a step of 0; a step must be 1 or more");
  return bits_between(low, high, step) | extra;
}

std::uint64_t parse_field(const FieldSpec& f, std::string_view field) {
  std::uint64_t bits = 0;
  std::size_t start = 0;
  while (true) {
    auto comma = field.find(',', start);
    bits |= parse_range(
        f, field.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return bits;
}

// Wall-clock fields of an instant in a zone.
struct LocalFields {
  int year;
  unsigned month, day, hour, minute, second, weekday;
};

LocalFields local_fields(const TimeZone& zone, Timestamp t) {
  auto local = zone.to_local(t);
  auto days = date::floor<date::days>(local);
  date::year_month_day ymd{days};
  date::hh_mm_ss<std::chrono::seconds> tod{local - days};
  return LocalFields{static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()),
                     static_cast<unsigned>(tod.hours().count()),
                     static_cast<unsigned>(tod.minutes().count()),
                     static_cast<unsigned>(tod.seconds().count()),
                     date::weekday{days}.c_encoding()};
}

// Go's time.Date(year, month, day, hour, min, sec, 0, loc): normalises overflowing fields, then
// resolves the wall-clock time to an instant the way Go does (see the header comment).
Timestamp go_date(const TimeZone& zone, int year, int month, int day, int hour, int minute,
                  int second) {
  int month0 = month - 1;
  year += month0 >= 0 ? month0 / 12 : -((11 - month0) / 12);
  month0 = ((month0 % 12) + 12) % 12;
  auto first = date::sys_days{date::year{year} / date::month(static_cast<unsigned>(month0 + 1)) /
                              date::day{1}};
  auto as_utc = Timestamp{first + date::days{day - 1}} + std::chrono::hours(hour) +
                std::chrono::minutes(minute) + std::chrono::seconds(second);
  auto period = zone.period_at(as_utc);
  auto offset = period.offset;
  if (offset != std::chrono::seconds(0)) {
    auto utc = as_utc - offset;
    if (utc < period.begin || utc >= period.end) offset = zone.period_at(utc).offset;
  }
  return as_utc - offset;
}

bool has_bit(std::uint64_t bits, unsigned i) { return (bits & (std::uint64_t{1} << i)) != 0; }

}  // namespace

const TimeZone& locate_time_zone(std::string_view name) {
  if (name.empty())
    throw CronError("the time zone is empty; use an IANA name such as Europe/Berlin");
  try {
    return time_zone_database().locate(name);
  } catch (const TimeZoneError&) {
    auto& database = time_zone_database();
    throw CronError("the time zone \"" + std::string(name) +
                    "\" is not in the tz database (tzdata " + database.version() + " at " +
                    database.directory().string() +
                    "); use an IANA name such as Europe/Berlin, America/New_York or UTC");
  }
}

CronSchedule CronSchedule::parse(std::string_view expression, std::string_view time_zone) {
  CronSchedule s;
  s.zone_ = &locate_time_zone(time_zone);

  std::istringstream words{std::string(expression)};
  std::vector<std::string> fields;
  for (std::string w; words >> w;) fields.push_back(w);
  if (fields.empty())
    throw CronError("the schedule is empty; use five fields such as \"0 6 * * *\"");
  if (fields[0].rfind("TZ=", 0) == 0 || fields[0].rfind("CRON_TZ=", 0) == 0) {
    throw CronError("the schedule sets " + fields[0].substr(0, fields[0].find('=')) +
                    "=; put the zone in timeZone instead");
  }
  if (fields[0][0] == '@') {
    if (fields.size() != 1) throw CronError("a macro such as " + fields[0] + " stands alone");
    const std::string& macro = fields[0];
    s.minute_ = 1;
    s.hour_ = 1;
    s.day_of_month_ = all_bits(kFields[2]);
    s.month_ = all_bits(kFields[3]);
    s.day_of_week_ = all_bits(kFields[4]);
    if (macro == "@yearly" || macro == "@annually") {
      s.day_of_month_ = std::uint64_t{1} << 1;
      s.month_ = std::uint64_t{1} << 1;
    } else if (macro == "@monthly") {
      s.day_of_month_ = std::uint64_t{1} << 1;
    } else if (macro == "@weekly") {
      s.day_of_week_ = 1;
    } else if (macro == "@hourly") {
      s.hour_ = all_bits(kFields[1]);
    } else if (macro != "@daily" && macro != "@midnight") {
      throw CronError("\"" + macro +
                      "\" is not a supported macro; use @yearly, @annually, @monthly, @weekly, "
                      "@daily, @midnight or @hourly, or five fields");
    }
    return s;
  }
  if (fields.size() != 5) {
    throw CronError("the schedule has " + std::to_string(fields.size()) +
                    " fields; use five: minute hour day-of-month month day-of-week, "
                    "such as \"0 6 * * *\"");
  }
  s.minute_ = parse_field(kFields[0], fields[0]);
  s.hour_ = parse_field(kFields[1], fields[1]);
  s.day_of_month_ = parse_field(kFields[2], fields[2]);
  s.month_ = parse_field(kFields[3], fields[3]);
  s.day_of_week_ = parse_field(kFields[4], fields[4]);
  return s;
}

bool CronSchedule::day_matches(unsigned day, unsigned weekday) const {
  bool dom = has_bit(day_of_month_, day);
  bool dow = has_bit(day_of_week_, weekday);
  if ((day_of_month_ & kStarBit) != 0 || (day_of_week_ & kStarBit) != 0) return dom && dow;
  return dom || dow;
}

std::optional<Timestamp> CronSchedule::next(Timestamp after) const {
  const TimeZone& zone = *zone_;
  Timestamp t = after + std::chrono::seconds(1);
  bool added = false;
  const int year_limit = local_fields(zone, t).year + 5;

  // Each loop steps one field until it matches; stepping past the field's end re-checks the
  // coarser fields ("wrap"), as robfig/cron's Next does.
  while (true) {
    LocalFields f = local_fields(zone, t);
    if (f.year > year_limit) return std::nullopt;

    bool wrapped = false;
    while (!has_bit(month_, f.month)) {
      if (!added) {
        added = true;
        t = go_date(zone, f.year, static_cast<int>(f.month), 1, 0, 0, 0);
        f = local_fields(zone, t);
      }
      t = go_date(zone, f.year, static_cast<int>(f.month) + 1, static_cast<int>(f.day),
                  static_cast<int>(f.hour), static_cast<int>(f.minute), static_cast<int>(f.second));
      f = local_fields(zone, t);
      if (f.month == 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;

    while (!day_matches(f.day, f.weekday)) {
      if (!added) {
        added = true;
        t = go_date(zone, f.year, static_cast<int>(f.month), static_cast<int>(f.day), 0, 0, 0);
        f = local_fields(zone, t);
      }
      t = go_date(zone, f.year, static_cast<int>(f.month), static_cast<int>(f.day) + 1,
                  static_cast<int>(f.hour), static_cast<int>(f.minute), static_cast<int>(f.second));
      f = local_fields(zone, t);
      // Midnight may not exist (a DST gap at 00:00): land on the day's first instant instead.
      if (f.hour != 0) {
        if (f.hour > 12) {
          t += std::chrono::hours(24 - static_cast<int>(f.hour));
        } else {
          t -= std::chrono::hours(f.hour);
        }
        f = local_fields(zone, t);
      }
      if (f.day == 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;

    while (!has_bit(hour_, f.hour)) {
      if (!added) {
        added = true;
        t = go_date(zone, f.year, static_cast<int>(f.month), static_cast<int>(f.day),
                    static_cast<int>(f.hour), 0, 0);
      }
      t += std::chrono::hours(1);
      f = local_fields(zone, t);
      if (f.hour == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;

    while (!has_bit(minute_, f.minute)) {
      if (!added) {
        added = true;
        t -= t.time_since_epoch() % std::chrono::minutes(1);
      }
      t += std::chrono::minutes(1);
      f = local_fields(zone, t);
      if (f.minute == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;

    // Seconds: CronJob schedules fire at second 0.
    while (f.second != 0) {
      added = true;
      t += std::chrono::seconds(1);
      f = local_fields(zone, t);
      if (f.second == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    return t;
  }
}

}  // namespace kubedbt::api
