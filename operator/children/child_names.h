// Deterministic names of the children the operator makes, so a retry finds what it already made.
#pragma once

#include <string>
#include <string_view>

#include "api/dbt_run.h"

namespace kubedbt::op {

// `name` when it fits in `max_length`, else its prefix, "-" and 8 hex digits of its hash, so
// long names stay unique and stable.
std::string fit_name(std::string_view name, std::size_t max_length);

// The CronJob of a DbtSchedule: its name, fitted to CronJob's 52 characters.
std::string cron_job_name(std::string_view schedule);
// "<run>-run": the Job of a user-created DbtRun, fitted to the 63 characters of a label value.
// It ends in a letter, so it never equals a CronJob's Job name (<cronjob>-<scheduled minutes>).
std::string job_name(std::string_view run);
// The Job of user-created `run`: the one its status names (a run started by an older operator,
// whose Jobs carried the run's own name), else job_name(run).
std::string job_name_of(const api::DbtRun& run);
// Whether `name` has the form of the Jobs the CronJob of DbtSchedule `schedule` makes
// (<cron_job_name(schedule)>-<digits>): the name its scheduled DbtRuns get too.
bool is_schedule_job_name(std::string_view name, std::string_view schedule);
// "<run>-drop-schema": the clean-up Job of a deleted DbtRun's own schema, fitted to 63.
std::string drop_schema_job_name(std::string_view run);
// "DBT_ENV_SECRET_<TARGET>_PASSWORD": the env var carrying a target's password (dbt masks it).
std::string password_env_name(std::string_view target);

}  // namespace kubedbt::op

namespace kubedbt::op {
// A resource name as a label value (at most 63 characters), fitted like fit_name.
std::string label_value(std::string_view name);
}  // namespace kubedbt::op
