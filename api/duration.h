// Durations as users write them in specs ("45m", "2h30m") and as status shows them ("4m12s").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kubedbt::api {

// Parses the subset of Go duration syntax the CRDs accept: optional hours, minutes and seconds
// in that order, whole numbers, at least one part ("90s", "1h", "2h30m"). std::nullopt otherwise.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Go's time.Duration.String() for whole seconds: "0s", "12s", "4m12s", "1h0m5s".
std::string format_duration(std::chrono::seconds d);

}  // namespace kubedbt::api
