// Parsing and formatting of the duration strings used by timeouts and status.
#include "api/duration.h"

#include <charconv>
#include <cstdint>

namespace kubedbt::api {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::string_view kUnits = "hms";
  constexpr std::int64_t kSecondsPerUnit[] = {3600, 60, 1};
  constexpr std::int64_t kMaxPart = 1'000'000'000;  // keeps the sum far from overflow
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // units must appear in the order h, m, s, each at most once
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::int64_t value = 0;
    const char* first = text.data() + pos;
    auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec != std::errc() || end == first || value > kMaxPart || *first == '-' || *first == '+') {
      return std::nullopt;
    }
    pos = static_cast<std::size_t>(end - text.data());
    if (pos >= text.size()) return std::nullopt;
    std::size_t unit = kUnits.find(text[pos], next_unit);
    if (unit == std::string_view::npos) return std::nullopt;
    total += value * kSecondsPerUnit[unit];
    next_unit = unit + 1;
    ++pos;
  }
  return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds d) {
  std::int64_t total = d.count();
  std::string sign;
  if (total < 0) {
    sign = "-";
    total = -total;
  }
  std::int64_t hours = total / 3600, minutes = (total % 3600) / 60, seconds = total % 60;
  if (hours > 0) {
    return sign + std::to_string(hours) + "h" + std::to_string(minutes) + "m" +
           std::to_string(seconds) + "s";
  }
  if (minutes > 0) return sign + std::to_string(minutes) + "m" + std::to_string(seconds) + "s";
  return sign + std::to_string(seconds) + "s";
}

}  // namespace kubedbt::api
