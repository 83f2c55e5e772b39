// What the runner knows about its run as it goes; dbt_run_status.h maps it onto DbtRun.status.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "runner/progress.h"
#include "runner/run_summary.h"

namespace kubedbt::runner {

enum class Phase { Pending, Running, Succeeded, Failed, TimedOut, Cancelled };
const char* to_string(Phase phase);

struct RunStatus {
  Phase phase = Phase::Pending;
  std::chrono::system_clock::time_point start_time{};
  std::optional<std::chrono::system_clock::time_point> completion_time;
  int attempts = 0;     // dbt invocations of commands, retries included
  std::string command;  // the command running now
  Progress progress;
  Summary summary;
  std::string commit_sha;
  std::string dbt_version;
  std::string artifacts;  // where this run's artifacts were kept
  std::string message;    // the one sentence a person needs
};

}  // namespace kubedbt::runner
