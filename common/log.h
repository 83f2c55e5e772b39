// Structured logging: one JSON object per line on stderr, through spdlog.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kubedbt::log {

enum class Level { Debug, Info, Warn, Error };

// Sets the component name stamped on every line and the minimum level ("debug", "info", ...).
void init(std::string_view component, std::string_view level = "info");

// Writes {"ts": ..., "level": ..., "component": ..., "msg": msg, ...fields} as one line.
// Fields conventionally include "namespace" and "name" of the resource the event is about.
void write(Level level, std::string_view msg,
           const nlohmann::json& fields = nlohmann::json::object());

inline void debug(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Debug, msg, f);
}
inline void info(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Info, msg, f);
}
inline void warn(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Warn, msg, f);
}
inline void error(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Error, msg, f);
}

}  // namespace kubedbt::log
