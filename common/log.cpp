// Structured JSON logging on spdlog.
#include "common/log.h"

#include <date/date.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

namespace kubedbt::log {
namespace {

struct State {
  std::mutex mu;
  std::string component = "kubedbt";
  std::shared_ptr<spdlog::logger> logger;
};

State& state() {
  static State s;
  return s;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::Debug:
      return spdlog::level::debug;
    case Level::Info:
      return spdlog::level::info;
    case Level::Warn:
      return spdlog::level::warn;
    case Level::Error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* name_of(Level level) {
  switch (level) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warn:
      return "warn";
    case Level::Error:
      return "error";
  }
  return "info";
}

std::shared_ptr<spdlog::logger> logger_locked(State& s) {
  if (!s.logger) {
    s.logger = std::make_shared<spdlog::logger>("kubedbt",
                                                std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s.logger->set_pattern("%v");
    s.logger->set_level(spdlog::level::info);
    s.logger->flush_on(spdlog::level::debug);
  }
  return s.logger;
}

}  // namespace

void init(std::string_view component, std::string_view level) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  s.component = std::string(component);
  logger_locked(s)->set_level(spdlog::level::from_str(std::string(level)));
}

void write(Level level, std::string_view msg, const nlohmann::json& fields) {
  auto& s = state();
  std::shared_ptr<spdlog::logger> logger;
  std::string component;
  {
    std::lock_guard lock(s.mu);
    logger = logger_locked(s);
    component = s.component;
  }
  if (!logger->should_log(to_spdlog(level))) return;
  nlohmann::json line = {
      {"ts", date::format("%FT%TZ", std::chrono::floor<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now()))},
      {"level", name_of(level)},
      {"component", component},
      {"msg", msg},
  };
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  logger->log(to_spdlog(level),
              line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace kubedbt::log
