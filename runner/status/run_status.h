// What the runner knows about its run as it goes; report/cluster/dbtrun_status.h maps it onto
// DbtRun.status.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "runner/dbt/progress.h"
#include "runner/status/run_summary.h"

namespace kubedbt::runner {

enum class Phase { Pending, Running, Succeeded, Failed, TimedOut, Cancelled };
const char* to_string(Phase phase);

// A run far from the history of its project and target.
struct Anomaly {
  enum class Kind { RowCount, Duration };
  Kind kind = Kind::RowCount;
  std::string node;     // unique_id for a node's row count; empty for the whole run's duration
  std::string message;  // "model.shop.fct_orders: 12 rows, median of the last 10 runs 15400"
};

// Slim CI: which target's manifest the run deferred to, and whether one was stored.
struct Deferral {
  std::string to;
  bool manifest_found = false;
};

// Blue-green: the production schemas swapped in and the backups kept.
struct DeploymentOutcome {
  bool swapped = false;
  std::vector<std::string> schemas;   // production schemas now holding this run's build
  std::vector<std::string> previous;  // backups of the schemas swapped out (keepPrevious)
  // Why backups keepPrevious false would drop are kept (an object outside depends on them).
  std::string previous_kept_because;
};

// Whether one destination of spec.notifications got the run's message (sent after the run).
struct NotificationDelivery {
  std::size_t index = 0;            // position in spec.notifications
  std::string kind;                 // slack | email | webhook
  std::vector<std::string> events;  // the run's events sent, such as "failure"
  bool delivered = false;
  int attempts = 0;
  std::string detail;  // secret-free: the receiver's answer or the connection error
};

// Where the state store keeps this run's artifacts (DbtRun.status.artifacts).
struct StoredArtifacts {
  std::string database;
  std::string schema;
  std::string invocation_id;
};

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
  std::vector<Anomaly> anomalies;
  std::optional<Deferral> deferral;
  std::optional<DeploymentOutcome> deployment;
  std::optional<StoredArtifacts> stored;            // set once the state store recorded the run
  std::vector<NotificationDelivery> notifications;  // set after the final status, when sent
};

}  // namespace kubedbt::runner
