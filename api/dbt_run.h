// DbtRun: one execution of dbt commands (manual, CI, or started by a DbtSchedule's CronJob).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/common_types.h"
#include "api/condition.h"
#include "api/object_meta.h"

namespace kubedbt::api {

inline constexpr std::string_view kDbtRunKind = "DbtRun";
inline constexpr std::string_view kDbtRunPlural = "dbtruns";

// Overrides of the project's source for this run (e.g. a pull request's commit).
struct RunSource {
  std::optional<std::string> ref;
  bool operator==(const RunSource&) const = default;
};

// Slim CI: compare against, and defer unbuilt nodes to, the stored manifest of another target.
struct Defer {
  std::string to;
  bool operator==(const Defer&) const = default;
};

struct DbtRunSpec {
  LocalObjectRef project_ref;
  std::optional<std::string> target;  // unset: the project's default target
  std::optional<LocalObjectRef> schedule_ref;
  DbtInvocation invocation;  // commands, select, ... (inline in JSON)
  std::optional<RunSource> source;
  std::optional<Defer> defer;
  std::optional<std::string> schema;  // the run's own schema; never on a protected target
  bool keep_schema = false;           // with schema: leave it in place when the run is deleted
  std::optional<std::string> timeout;
  Retries retries;
  Deployment deployment;
  bool operator==(const DbtRunSpec&) const = default;
};

// Live position in the run; `text` ("12/40") is derived for the PROGRESS column.
struct Progress {
  std::int32_t done = 0;
  std::int32_t total = 0;
  std::optional<std::string> current;
  bool operator==(const Progress&) const = default;
};

struct NodeFailure {
  std::string node;
  std::string message;
  bool operator==(const NodeFailure&) const = default;
};

struct NodeTiming {
  std::string node;
  double seconds = 0;
  bool operator==(const NodeTiming&) const = default;
};

// Where the run's artifacts were stored.
struct ArtifactLocation {
  std::string database;
  std::string schema;
  std::string invocation_id;
  bool operator==(const ArtifactLocation&) const = default;
};

enum class AnomalyKind { RowCount, Duration };
template <>
struct EnumNames<AnomalyKind> {
  static constexpr std::array<std::pair<AnomalyKind, std::string_view>, 2> entries{{
      {AnomalyKind::RowCount, "RowCount"},
      {AnomalyKind::Duration, "Duration"},
  }};
};

// A run far from the history of its project and target (spec.anomalies of the project).
struct RunAnomaly {
  AnomalyKind kind = AnomalyKind::RowCount;
  std::optional<std::string> node;  // the node whose row count changed; unset for the whole run
  std::string message;
  bool operator==(const RunAnomaly&) const = default;
};

// Slim CI: the target whose stored manifest the run deferred to, and whether one was stored.
struct DeferralStatus {
  std::string to;
  bool manifest_found = false;
  bool operator==(const DeferralStatus&) const = default;
};

// Blue-green: whether the staging schemas were swapped in, which, and the backups kept.
struct DeploymentStatus {
  bool swapped = false;
  std::vector<std::string> schemas;
  std::vector<std::string> previous;
  bool operator==(const DeploymentStatus&) const = default;
};

// One destination of the project's spec.notifications that this run's events went to, after the
// run: whether the message arrived. `message` says why not (secret-free: never the URL).
struct NotificationDelivery {
  std::int64_t index = 0;           // position in the project's spec.notifications
  std::string kind;                 // slack | email | webhook
  std::vector<std::string> events;  // the run's events sent, such as failure, testFailure
  bool delivered = false;
  std::int32_t attempts = 0;
  std::optional<std::string> message;
  bool operator==(const NotificationDelivery&) const = default;
};

inline constexpr std::size_t kMaxFailures = 20;
inline constexpr std::size_t kMaxAnomalies = 20;
inline constexpr std::size_t kMaxSlowest = 10;
inline constexpr std::size_t kMaxMessageLength = 1024;

// `freshness` (Pass/Warn/Error, for the FRESHNESS column) is derived from summary.freshness when
// encoding, when the run checked any source.
struct DbtRunStatus {
  std::optional<RunPhase> phase;
  std::vector<Condition> conditions;
  std::int64_t observed_generation = 0;
  std::optional<std::string> target;  // the target the run uses, resolved
  std::optional<std::string> job_name;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> completion_time;
  std::optional<std::string> duration;
  std::int32_t attempts = 0;
  std::optional<Progress> progress;
  std::optional<RunSummary> summary;
  std::vector<NodeFailure> failures;  // at most kMaxFailures
  std::vector<NodeTiming> slowest;    // at most kMaxSlowest, slowest first
  std::optional<std::string> commit_sha;
  std::optional<std::string> dbt_version;
  std::optional<ArtifactLocation> artifacts;
  std::optional<std::string> message;  // at most kMaxMessageLength
  std::vector<RunAnomaly> anomalies;   // at most kMaxAnomalies
  std::optional<DeferralStatus> deferral;
  std::optional<DeploymentStatus> deployment;
  std::vector<NotificationDelivery> notifications;
  bool operator==(const DbtRunStatus&) const = default;

  // The worst source freshness of the run, or std::nullopt when it checked no source.
  std::optional<FreshnessState> freshness() const;
};

struct DbtRun {
  ObjectMeta metadata;
  DbtRunSpec spec;
  DbtRunStatus status;
  bool operator==(const DbtRun&) const = default;
};

void decode(const Json& j, const std::string& path, RunSource& out);
void decode(const Json& j, const std::string& path, Defer& out);
void decode(const Json& j, const std::string& path, DbtRunSpec& out);
void decode(const Json& j, const std::string& path, Progress& out);
void decode(const Json& j, const std::string& path, NodeFailure& out);
void decode(const Json& j, const std::string& path, NodeTiming& out);
void decode(const Json& j, const std::string& path, ArtifactLocation& out);
void decode(const Json& j, const std::string& path, RunAnomaly& out);
void decode(const Json& j, const std::string& path, DeferralStatus& out);
void decode(const Json& j, const std::string& path, DeploymentStatus& out);
void decode(const Json& j, const std::string& path, NotificationDelivery& out);
void decode(const Json& j, const std::string& path, DbtRunStatus& out);
void decode(const Json& j, const std::string& path, DbtRun& out);
Json encode(const RunSource& v);
Json encode(const Defer& v);
Json encode(const DbtRunSpec& v);
Json encode(const Progress& v);
Json encode(const NodeFailure& v);
Json encode(const NodeTiming& v);
Json encode(const ArtifactLocation& v);
Json encode(const RunAnomaly& v);
Json encode(const DeferralStatus& v);
Json encode(const DeploymentStatus& v);
Json encode(const NotificationDelivery& v);
Json encode(const DbtRunStatus& v);
Json encode(const DbtRun& v);

DbtRun dbt_run_from_json(const Json& j);
Json to_json(const DbtRun& run);

}  // namespace kubedbt::api
