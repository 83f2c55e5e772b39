// One line of dbt's `--log-format json` output: {"info": {name, level, msg, invocation_id},
// "data"}.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace kubedbt::runner {

struct DbtEvent {
  std::string name;   // event type, e.g. "LogStartLine", "LogModelResult", "MainEncounteredError"
  std::string level;  // "debug", "info", "warn", "error"
  std::string msg;    // the human text, ANSI colour codes removed
  std::string invocation_id;
  nlohmann::json data;  // the event's own fields
};

// Parses a line; nullopt for anything that is not a dbt JSON event (Python warnings, blank lines).
std::optional<DbtEvent> parse_dbt_event(const std::string& line);

// Removes ANSI escape sequences ("\x1b[33m").
std::string strip_ansi(const std::string& text);

}  // namespace kubedbt::runner
