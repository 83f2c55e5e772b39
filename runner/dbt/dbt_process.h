// One dbt invocation: starts dbt, turns its JSON log lines into progress, stops it when asked.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "runner/dbt/progress.h"
#include "runner/os/subprocess.h"
#include "runner/os/workspace.h"

namespace kubedbt::runner {

// How dbt's own output reaches the runner's output.
enum class EchoMode {
  Json,  // dbt's JSON lines as they are (pod logs)
  Text,  // the human message of each info-or-higher event (local mode)
  None,
};

struct DbtProcessOptions {
  std::vector<std::string> argv;
  Environment env;  // complete environment; see dbt_environment.h
  std::filesystem::path working_dir;
  EchoMode echo = EchoMode::Json;
  // Replaces secret values in any text the runner echoes.
  std::function<std::string(const std::string&)> scrub;
  std::function<void(const Progress&)> on_progress;
  std::function<bool()> should_stop;
  std::chrono::milliseconds grace{std::chrono::seconds(10)};
  int wake_fd = -1;
};

struct DbtProcessResult {
  SubprocessResult process;
  ProgressTracker events;
};

DbtProcessResult run_dbt(const DbtProcessOptions& options);

}  // namespace kubedbt::runner
