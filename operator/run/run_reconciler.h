// DbtRun: start a user-created run's Job, make every CronJob Job visible as a DbtRun, report what
// only the cluster knows, and prune old finished runs. reconcile_run calls one named decision per
// path, in order: adopt (no DbtRun yet), finalize (being deleted), backfill labels (a schedule's
// run), prune (finished), start (the ordered checks of start_checks.h), observe.
//
// Invariants: one Job per user-created run, named job_name(run) and owned by it; one DbtRun per
// Job of a managed CronJob, named after the Job and owned by it (the runner may create it first;
// AlreadyExists is success); the operator writes phase and message only while the phase is not
// finished, so a result the runner wrote is never overwritten; a user-created run observes only a
// Job whose controller owner reference carries its uid (any other Job of its name fails it with
// reason JobNameTaken); a run on a protected target starts
// only from a schedule or with the requested-by annotation the admission policy vouches for; a
// run with its own schema carries the drop-schema finalizer (schema_cleanup.h).
//
// RBAC: dbtruns get/list/watch/create/patch/delete, dbtruns/status patch; dbtprojects,
// dbtschedules get/list/watch; jobs get/list/watch/create/delete; pods get/list/watch; events
// create.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "operator/core/reconcile_context.h"
#include "operator/run/run_observation.h"

namespace kubedbt::op {

namespace run_reason {
// A Job of the run's name exists and another object controls it (start reasons: start_checks.h).
inline constexpr std::string_view kJobNameTaken = "JobNameTaken";
// The Job of a deleted DbtRun of the same name is still there; the run waits for it to go.
inline constexpr std::string_view kPreviousRunJob = "PreviousRunJobExists";
// A user-created run's name has the form of a DbtSchedule's scheduled runs (<cronjob>-<minutes>).
inline constexpr std::string_view kNameReservedForSchedule = "NameReservedForSchedule";
// A protected target that the admission policy lists nobody for (protected_target_guard.h).
inline constexpr std::string_view kProtectedTargetUnguarded = "ProtectedTargetUnguarded";
}  // namespace run_reason

// The status fields the operator owns, as a merge patch against `current`; null when nothing
// changes. A finished phase in `current` is kept as it is.
nlohmann::json run_status_patch(const api::DbtRunStatus& current, const RunObservation& observed,
                                const std::string& job_name, std::int64_t generation,
                                api::Timestamp now);

// Names of finished user-created runs of one project to delete so `limit` remain (oldest first
// by completion time).
std::vector<std::string> runs_to_prune(const std::vector<api::DbtRun>& runs, int limit);

ReconcileResult reconcile_run(const ReconcileContext& ctx, const std::string& ns,
                              const std::string& name);

}  // namespace kubedbt::op
