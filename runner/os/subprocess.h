// A child process in its own process group, with stdout and stderr read line by line until it
// exits.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kubedbt::runner {

using Environment = std::map<std::string, std::string>;

// The current process's environment as a map.
Environment current_environment();

struct SubprocessOptions {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no slash
  std::filesystem::path working_dir;
  Environment env;  // the complete environment of the child
  std::function<void(const std::string&)> on_stdout_line;
  std::function<void(const std::string&)> on_stderr_line;
  // Called at least every `tick` while the child runs; returns true when the child should stop.
  // The child then gets `stop_signal` (to its whole group) and, `grace` later, SIGKILL.
  std::function<bool()> should_stop;
  std::chrono::milliseconds tick{200};
  std::chrono::milliseconds grace{std::chrono::seconds(10)};
  int stop_signal = 2;  // SIGINT: dbt then cancels its warehouse queries
  // Extra file descriptor that wakes the wait loop when readable (e.g. a signal pipe); -1 = none.
  int wake_fd = -1;
};

struct SubprocessResult {
  int exit_code = -1;               // the child's exit status, or 128 + signal when it was killed
  std::optional<int> signal;        // the signal that ended it, if any
  bool interrupted = false;         // should_stop asked for it to stop
  bool killed_after_grace = false;  // it outlived the grace period and got SIGKILL
};

// Runs the child to completion. Throws std::runtime_error (naming argv[0]) when it cannot start.
SubprocessResult run_subprocess(const SubprocessOptions& options);

// Runs argv and returns its exit code with stdout and stderr collected (for git and small tools).
struct CapturedOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool interrupted = false;  // should_stop asked for it to stop
};
CapturedOutput run_captured(const std::vector<std::string>& argv,
                            const std::filesystem::path& working_dir, const Environment& env);
// The same with every option but the output callbacks, which collect the output.
CapturedOutput run_captured(SubprocessOptions options);

}  // namespace kubedbt::runner
