// One run from start to final status: source, profiles, lock, deps, each command with its retries,
// timeout and cancellation. The steps live in the folders below pipeline/ (runner/README.md);
// this composes them in order.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "runner/dbt/dbt_command.h"
#include "runner/dbt/dbt_process.h"
#include "runner/dbt/retry_policy.h"
#include "runner/os/workspace.h"
#include "runner/postgres/target_lock.h"
#include "runner/report/status_reporter.h"
#include "runner/spec/run_spec.h"
#include "runner/state/state_store.h"
#include "runner/status/run_status.h"
#include "runner/status/run_summary.h"

namespace kubedbt::runner {

struct PipelineOptions {
  std::string dbt = "dbt";  // the dbt executable
  Workspace workspace;      // project_dir: where a git source is cloned (ignored for baked paths)
  Environment env;          // the runner's environment (secrets included; never logged)
  EchoMode echo = EchoMode::Json;
  // Readable when the runner was asked to stop (SIGTERM); -1 = none. `cancelled` reads the flag.
  int cancel_fd = -1;
  std::function<bool()> cancelled;
  std::function<std::optional<int>()> cancel_signal;
};

class RunPipeline {
 public:
  RunPipeline(RunSpec spec, PipelineOptions options, StatusReporter& reporter);

  // Runs everything and reports the final status; returns the exit code (0, 1, 2 like dbt).
  int run();
  const RunStatus& status() const { return status_; }

 private:
  using Clock = std::chrono::steady_clock;
  enum class Stop { None, Deadline, Signal, LockLost };

  Stop stop_reason() const;
  bool should_stop() const { return stop_reason() != Stop::None; }
  // Runs one dbt invocation; returns what it left behind.
  AttemptOutcome attempt(const std::vector<std::string>& argv, const std::string& command,
                         bool freshness);
  // Runs one command with its retries; returns false when the run must not go on.
  bool run_command(const std::string& command);
  void sleep_unless_stopped(std::chrono::seconds wait);
  // Copies this invocation's artifact (run_results.json or sources.json) under its number.
  void keep_artifacts(const std::string& label, const std::string& artifact);
  // Ends the run as TimedOut, Cancelled or (lock lost) Failed while `command` ran; returns false
  // (do not go on).
  bool finish_stopped(const std::string& command);
  void finish(Phase phase, int exit_code, std::string message);
  std::string scrub(const std::string& text) const;
  // Before the commands: migrates the state store, restores the partial-parse cache and, for
  // Slim CI, fetches the deferred-to target's manifest. Throws StepError when the store is
  // unusable.
  void prepare_state(const std::string& password);
  // Lets the database users of the project's other targets read this target's production
  // manifest (and nothing else of its state); a failure only adds a note.
  void share_production_manifest();
  // Slim CI: throws StepError naming the GRANTs when the run's user may not read the deferred-to
  // target's relations listed in its production `manifest`.
  void check_deferred_relations_readable(const std::string& manifest);
  // A run with its own schema and a DbtRun: records it as a user of that schema before it builds,
  // so no older run's clean-up drops it (schema_users.h). Throws StepError when it cannot.
  void register_schema_use();
  // After the commands (and the deployment): stores artifacts, the production manifest, the
  // partial-parse cache, history and built schemas, then flags anomalies. Never fails the run.
  void record_state();
  // Adds a sentence to the final status message.
  void add_note(const std::string& sentence);

  RunSpec spec_;
  TargetSpec target_;  // spec_.target with the run's schema override
  PipelineOptions options_;
  StatusReporter& reporter_;
  RunStatus status_;
  ResultBook book_;
  std::function<std::string(const std::string&)> scrubber_;
  std::optional<Clock::time_point> cancel_at_;
  Clock::time_point started_{};
  std::optional<std::string> interrupted_node_;  // the node running when dbt was stopped
  // Every dbt build/run/... invocation left its run_results.json (an interrupted one may not).
  bool results_complete_ = true;
  int invocations_ = 0;  // dbt processes started, deps and retries included
  int exit_code_ = 0;
  bool finished_ = false;
  std::unique_ptr<TargetLock> lock_;  // held from before dbt deps until the run is recorded
  std::unique_ptr<StateStore> store_;
  // A run in its own schema: the database's schemas before dbt ran; it records only new ones.
  std::set<std::string> schemas_before_run_;
  DeferState defer_state_;          // Slim CI: where the production manifest was put
  std::string invocation_id_;       // the latest dbt command invocation's id
  std::vector<std::string> notes_;  // sentences added to the final message
};

}  // namespace kubedbt::runner
