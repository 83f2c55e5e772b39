// Kubernetes timestamps (metav1.Time): RFC 3339 text <-> whole seconds on the system clock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kubedbt::api {

using Timestamp = std::chrono::sys_seconds;

// "2026-03-29T01:00:00Z", the form the API server writes.
std::string format_timestamp(Timestamp t);

// Accepts "Z" or a "+hh:mm"/"-hh:mm" offset and drops fractional seconds;
// std::nullopt when `text` is not RFC 3339.
std::optional<Timestamp> parse_timestamp(std::string_view text);

}  // namespace kubedbt::api
