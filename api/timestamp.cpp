// RFC 3339 formatting and parsing of Kubernetes timestamps.
#include "api/timestamp.h"

#include <date/date.h>

#include <cctype>
#include <charconv>

namespace kubedbt::api {

std::string format_timestamp(Timestamp t) { return date::format("%FT%TZ", t); }

namespace {

// Reads exactly `width` digits at `pos`; std::nullopt when they are not all digits.
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  const char* first = text.data() + pos;
  auto [end, ec] = std::from_chars(first, first + width, value);
  if (ec != std::errc() || end != first + width) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto year = read_digits(text, 0, 4), month = read_digits(text, 5, 2),
       day = read_digits(text, 8, 2), hour = read_digits(text, 11, 2),
       minute = read_digits(text, 14, 2), second = read_digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  date::year_month_day ymd{date::year{*year}, date::month(static_cast<unsigned>(*month)),
                           date::day(static_cast<unsigned>(*day))};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits_start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == digits_start) return std::nullopt;
  }
  std::chrono::seconds offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    auto off_hours = read_digits(text, pos + 1, 2), off_minutes = read_digits(text, pos + 4, 2);
    if (!off_hours || !off_minutes || pos + 3 >= text.size() || text[pos + 3] != ':') {
      return std::nullopt;
    }
    offset = std::chrono::hours(*off_hours) + std::chrono::minutes(*off_minutes);
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  return Timestamp{date::sys_days{ymd}} + std::chrono::hours(*hour) +
         std::chrono::minutes(*minute) + std::chrono::seconds(*second) - offset;
}

}  // namespace kubedbt::api
