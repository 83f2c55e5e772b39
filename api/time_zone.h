// One IANA time zone read from its compiled TZif file (RFC 8536): the UTC offset of any instant.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/posix_tz_rule.h"
#include "api/timestamp.h"

namespace kubedbt::api {

class TimeZone {
 public:
  // Reads a TZif file's contents (versions 1 to 4); throws TimeZoneError naming `name`.
  static TimeZone from_tzif(std::string name, std::string_view contents);

  const std::string& name() const { return name_; }

  // The offset in force at `t` and the transitions that bound it.
  OffsetPeriod period_at(Timestamp t) const;

  // The wall-clock time at `t`, as seconds since 1970-01-01T00:00 local.
  Timestamp to_local(Timestamp t) const { return t + period_at(t).offset; }

 private:
  struct Transition {
    Timestamp at;
    std::chrono::seconds offset_after;
  };

  std::string name_;
  std::chrono::seconds initial_offset_{0};
  std::vector<Transition> transitions_;
  std::optional<PosixTzRule> footer_;
};

}  // namespace kubedbt::api
