// DbtSchedule: server-side apply its one CronJob and summarise its runs in its status.
//
// Invariants: exactly one CronJob per schedule, named cron_job_name(schedule) and owned by it;
// it is applied only when the spec hash it carries differs from the desired one (so a schedule at
// rest costs no write); status is patched only when it changed; the next reconcile is at the next
// fire time, when nextScheduleTime moves.
//
// RBAC: dbtschedules get/list/watch, dbtschedules/status patch; dbtprojects, dbtruns get/list/
// watch; cronjobs get/list/watch/create/patch; events create.
#pragma once

#include <string>
#include <vector>

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "api/dbt_schedule.h"
#include "operator/core/reconcile_context.h"

namespace kubedbt::op {

namespace schedule_reason {
// Ready=True; Ready=False carries a start_reason (start_checks.h).
inline constexpr std::string_view kReady = "CronJobReady";
}  // namespace schedule_reason

// Annotation on the CronJob: a hash of the desired object, to skip applies that change nothing.
inline constexpr std::string_view kSpecHashAnnotation = "kubedbt.io/spec-hash";

// The run-derived part of the status: lastRun, lastSuccessfulRun, activeRuns and recentRuns
// (newest first, at most 10) from the schedule's DbtRuns.
void summarise_runs(api::DbtScheduleStatus& status, std::vector<api::DbtRun> runs);

// The CronJob with its spec-hash annotation set.
nlohmann::json cron_job_with_hash(nlohmann::json cron_job);

ReconcileResult reconcile_schedule(const ReconcileContext& ctx, const std::string& ns,
                                   const std::string& name);

}  // namespace kubedbt::op
