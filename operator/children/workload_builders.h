// The CronJob of a DbtSchedule and the Job of a user-created DbtRun, as apply configurations.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "api/dbt_schedule.h"
#include "operator/core/operator_config.h"

namespace kubedbt::op {

// The CronJob, named cron_job_name(schedule) and owned by the schedule: its schedule, timeZone,
// suspend, concurrencyPolicy, startingDeadlineSeconds and history limits; Jobs with backoffLimit
// 0 (the runner retries, from the point of failure) and activeDeadlineSeconds from the timeout.
// `target` is the resolved target. Throws std::invalid_argument when it is not in the project.
nlohmann::json build_cron_job(const api::DbtSchedule& schedule, const api::DbtProject& project,
                              const std::string& target, const OperatorConfig& config);

// The Job of a user-created DbtRun, named job_name(run) and owned by the run.
nlohmann::json build_job(const api::DbtRun& run, const api::DbtProject& project,
                         const std::string& target, const OperatorConfig& config);

// The clean-up Job of a deleted DbtRun with spec.schema, named drop_schema_job_name(run) and
// owned by the run: the run's pod template and credentials, running `kubedbt-runner drop-schema`
// with the schema of every protected target of the project as --protected-schema, retried by
// the Job controller (backoffLimit 2) within ten minutes. Throws std::invalid_argument when the
// target is not in the project.
nlohmann::json build_drop_schema_job(const api::DbtRun& run, const api::DbtProject& project,
                                     const std::string& target, const OperatorConfig& config);

}  // namespace kubedbt::op
