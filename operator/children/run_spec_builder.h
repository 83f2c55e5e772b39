// The secret-free run spec JSON the runner reads (runner/spec/run_spec.h is its contract).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "api/dbt_schedule.h"

namespace kubedbt::op {

// Env var holding the Job's name in a pod of a CronJob's Job (downward API, from the Job
// controller's label); the run spec refers to it as $(KUBEDBT_JOB_NAME), which the kubelet expands.
inline constexpr std::string_view kJobNameEnv = "KUBEDBT_JOB_NAME";
inline constexpr std::string_view kRunSpecEnv = "KUBEDBT_RUN_SPEC";

// Everything a run needs, from a DbtRun or a DbtSchedule, resolved against its project.
struct RunInputs {
  std::string namespace_name;
  std::string run_name;            // the DbtRun; for a schedule "$(KUBEDBT_JOB_NAME)"
  std::string run_uid;             // a user-created DbtRun's uid; empty for a schedule
  std::string job_name;            // the Job; for a schedule "$(KUBEDBT_JOB_NAME)"
  bool create_if_missing = false;  // a CronJob's run: the runner creates the DbtRun if missing
  std::string target_name;
  std::optional<std::string> source_ref;  // overrides the project's git ref
  api::DbtInvocation invocation;
  std::optional<std::string> timeout;
  api::Retries retries;
  std::optional<std::string> schema;    // the run's own schema (DbtRun.spec.schema)
  bool keep_schema = false;             // drop-schema leaves it in place
  std::optional<std::string> defer_to;  // Slim CI: the target whose stored manifest is compared
  api::Deployment deployment;
};

RunInputs run_inputs(const api::DbtRun& run, const std::string& target_name);
RunInputs schedule_run_inputs(const api::DbtSchedule& schedule, const std::string& target_name);

// How the deadline is split: Job.activeDeadlineSeconds is the whole timeout; the runner gets a
// little less, so it cancels dbt and reports TimedOut itself before the Job is killed.
struct Deadlines {
  std::optional<std::int64_t> job_active_deadline_seconds;
  std::optional<std::int64_t> runner_timeout_seconds;
  std::optional<std::int64_t> runner_cancel_grace_seconds;
};
Deadlines split_timeout(const std::optional<std::string>& timeout);

// The run spec document: the run and what it runs, the resolved target, the project's state
// store (with the other targets' database users, who may read the run's production manifest),
// anomaly thresholds and notifications (Secret values only as env var names, see
// notification_env.h). Throws std::invalid_argument when the target is not in the project.
nlohmann::json build_run_spec(const api::DbtProject& project, const RunInputs& inputs);

// The run spec as a container env value: "$" doubled so the kubelet keeps it, except the
// $(KUBEDBT_JOB_NAME) references it must expand.
std::string run_spec_env_value(const nlohmann::json& run_spec);

}  // namespace kubedbt::op
