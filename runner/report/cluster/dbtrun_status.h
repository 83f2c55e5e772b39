// The runner's RunStatus expressed as the API's DbtRunStatus (api/dbt_run.h), and the DbtRun a
// CronJob's run creates for itself.
#pragma once

#include <string>

#include "api/dbt_run.h"
#include "runner/spec/run_spec.h"
#include "runner/status/run_status.h"

namespace kubedbt::runner {

// The runner-owned fields: phase, times, attempts, progress, summary, failures, slowest, commit,
// dbt version, message, anomalies, deferral, deployment (freshness is derived from the summary),
// and the Succeeded / Complete conditions once the run has finished.
api::DbtRunStatus to_dbt_run_status(const RunStatus& status, const std::string& target,
                                    const std::string& job_name);

// A DbtRun for a run started by a CronJob: named after the Job, owned by it (so the CronJob's
// history limits prune both), its spec describing what this run does.
api::DbtRun dbt_run_for_job(const RunSpec& spec, const std::string& job_uid);

}  // namespace kubedbt::runner
