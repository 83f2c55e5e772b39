// DbtSchedule: a cron schedule that runs dbt commands for one project and target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/common_types.h"
#include "api/condition.h"
#include "api/object_meta.h"

namespace kubedbt::api {

inline constexpr std::string_view kDbtScheduleKind = "DbtSchedule";
inline constexpr std::string_view kDbtSchedulePlural = "dbtschedules";

enum class ConcurrencyPolicy { Forbid, Allow, Replace };
template <>
struct EnumNames<ConcurrencyPolicy> {
  static constexpr std::array<std::pair<ConcurrencyPolicy, std::string_view>, 3> entries{{
      {ConcurrencyPolicy::Forbid, "Forbid"},
      {ConcurrencyPolicy::Allow, "Allow"},
      {ConcurrencyPolicy::Replace, "Replace"},
  }};
};

struct DbtScheduleSpec {
  LocalObjectRef project_ref;
  std::optional<std::string> target;  // unset: the project's default target
  std::string schedule;
  std::string time_zone = "UTC";
  bool suspend = false;
  ConcurrencyPolicy concurrency_policy = ConcurrencyPolicy::Forbid;
  std::optional<std::int64_t> starting_deadline_seconds;
  std::int32_t successful_runs_history_limit = 3;
  std::int32_t failed_runs_history_limit = 1;
  DbtInvocation invocation;            // commands, select, ... (inline in JSON)
  std::optional<std::string> timeout;  // e.g. "2h"; see duration.h
  Retries retries;
  Deployment deployment;
  bool operator==(const DbtScheduleSpec&) const = default;
};

// A run of the schedule as its status shows it.
struct RunReference {
  std::string name;
  std::optional<RunPhase> phase;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> completion_time;
  std::optional<std::string> duration;
  std::optional<RunSummary> summary;
  bool operator==(const RunReference&) const = default;
};

struct DbtScheduleStatus {
  std::vector<Condition> conditions;
  std::int64_t observed_generation = 0;
  std::optional<std::string> target;  // the target runs use, resolved
  std::optional<std::string> cron_job_name;
  std::optional<Timestamp> last_schedule_time;
  std::optional<Timestamp> next_schedule_time;
  std::optional<RunReference> last_run;
  std::optional<RunReference> last_successful_run;
  std::vector<std::string> active_runs;
  std::vector<RunReference> recent_runs;  // newest first, at most 10
  // Worst source freshness of the latest finished run that checked sources.
  std::optional<FreshnessState> freshness;
  bool operator==(const DbtScheduleStatus&) const = default;
};

struct DbtSchedule {
  ObjectMeta metadata;
  DbtScheduleSpec spec;
  DbtScheduleStatus status;
  bool operator==(const DbtSchedule&) const = default;
};

void decode(const Json& j, const std::string& path, DbtScheduleSpec& out);
void decode(const Json& j, const std::string& path, RunReference& out);
void decode(const Json& j, const std::string& path, DbtScheduleStatus& out);
void decode(const Json& j, const std::string& path, DbtSchedule& out);
Json encode(const DbtScheduleSpec& v);
Json encode(const RunReference& v);
Json encode(const DbtScheduleStatus& v);
Json encode(const DbtSchedule& v);

DbtSchedule dbt_schedule_from_json(const Json& j);
Json to_json(const DbtSchedule& schedule);

}  // namespace kubedbt::api
