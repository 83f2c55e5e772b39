// Reading TZif files and looking up the UTC offset of an instant in them.
#include "api/time_zone.h"

#include <algorithm>
#include <cstdint>

namespace kubedbt::api {
namespace {

// The counts of a TZif header (RFC 8536 section 3.1), in file order.
struct TzifCounts {
  std::uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

// Reads big-endian fields in order; a short file is an error that names the zone.
class TzifReader {
 public:
  TzifReader(const std::string& name, std::string_view bytes) : name_(name), bytes_(bytes) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw TimeZoneError("time zone file of \"" + name_ + "\" is not valid TZif: " + what);
  }

  std::string_view take(std::size_t n) {
    if (bytes_.size() - pos_ < n) fail("it ends early");
    auto out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  std::int64_t big_endian(std::size_t width) {
    std::uint64_t value = 0;
    for (unsigned char c : take(width)) value = (value << 8) | c;
    if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
    return static_cast<std::int64_t>(value);
  }

  // The header: magic, version, 15 reserved bytes, six counts.
  std::pair<char, TzifCounts> header() {
    if (take(4) != "TZif") fail("it does not start with \"TZif\"");
    char version = take(1)[0];
    take(15);
    TzifCounts c{};
    for (std::uint32_t* field :
         {&c.isutcnt, &c.isstdcnt, &c.leapcnt, &c.timecnt, &c.typecnt, &c.charcnt}) {
      *field = static_cast<std::uint32_t>(big_endian(4));
    }
    if (c.typecnt == 0) fail("it has no local time types");
    return {version, c};
  }

  void skip_block(const TzifCounts& c, std::size_t time_width) {
    take(c.timecnt * time_width + c.timecnt + c.typecnt * 6 + c.charcnt +
         c.leapcnt * (time_width + 4) + c.isstdcnt + c.isutcnt);
  }

  std::string_view rest() const { return bytes_.substr(pos_); }

 private:
  const std::string& name_;
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

TimeZone TimeZone::from_tzif(std::string name, std::string_view contents) {
  TimeZone zone;
  zone.name_ = std::move(name);
  TzifReader in(zone.name_, contents);
  auto [version, counts] = in.header();
  std::size_t time_width = 4;
  if (version != '\0') {
    // Version 2+ repeats the data with 64-bit times after the version 1 block; only that is read.
    in.skip_block(counts, 4);
    counts = in.header().second;
    time_width = 8;
  }
  std::vector<std::int64_t> times(counts.timecnt);
  for (auto& t : times) t = in.big_endian(time_width);
  std::vector<std::uint8_t> type_of(counts.timecnt);
  for (auto& i : type_of) {
    i = static_cast<std::uint8_t>(in.take(1)[0]);
    if (i >= counts.typecnt) in.fail("a transition names a missing local time type");
  }
  std::vector<std::chrono::seconds> offsets(counts.typecnt);
  for (auto& offset : offsets) {
    offset = std::chrono::seconds(in.big_endian(4));
    in.take(2);  // isdst and the abbreviation index: the offset is all a schedule needs.
  }
  in.take(counts.charcnt + counts.leapcnt * (time_width + 4) + counts.isstdcnt + counts.isutcnt);

  zone.initial_offset_ = offsets[0];
  for (std::size_t i = 0; i < times.size(); ++i) {
    zone.transitions_.push_back({Timestamp{std::chrono::seconds(times[i])}, offsets[type_of[i]]});
  }
  if (version != '\0') {
    auto footer = in.rest();
    if (footer.size() < 2 || footer.front() != '\n') in.fail("the footer does not start a line");
    auto end = footer.find('\n', 1);
    if (end == std::string_view::npos) in.fail("the footer does not end a line");
    if (end > 1) zone.footer_ = PosixTzRule::parse(footer.substr(1, end - 1));
  }
  return zone;
}

OffsetPeriod TimeZone::period_at(Timestamp t) const {
  auto after =
      std::upper_bound(transitions_.begin(), transitions_.end(), t,
                       [](Timestamp value, const Transition& tr) { return value < tr.at; });
  if (after == transitions_.begin()) {
    Timestamp end = after == transitions_.end() ? Timestamp::max() : after->at;
    if (transitions_.empty() && footer_) return footer_->period_at(t);
    return OffsetPeriod{initial_offset_, Timestamp::min(), end};
  }
  const Transition& last = *std::prev(after);
  if (after != transitions_.end()) return OffsetPeriod{last.offset_after, last.at, after->at};
  if (!footer_) return OffsetPeriod{last.offset_after, last.at, Timestamp::max()};
  // Past the last explicit transition the footer's rule decides, but never before that transition.
  OffsetPeriod period = footer_->period_at(t);
  period.begin = std::max(period.begin, last.at);
  return period;
}

}  // namespace kubedbt::api
