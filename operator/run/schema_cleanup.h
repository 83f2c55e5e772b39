// The CI-schema finalizer: a DbtRun with spec.schema (and keepSchema false) carries
// kubedbt.io/drop-schema; when it is deleted, the operator cancels the run (deletes its Job and
// waits for the pod to go), runs `kubedbt-runner drop-schema` in a Job named
// drop_schema_job_name(run) with the run's pod template and credentials, and removes the
// finalizer once that Job succeeded. A failed clean-up keeps the finalizer, says why and how to
// remove it by hand (condition SchemaDropped=False, Event), and is retried every
// kDropSchemaRetry.
//
// RBAC: dbtruns patch (finalizers), dbtruns/status patch; jobs create/delete; pods list/watch.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "api/dbt_run.h"
#include "operator/core/reconcile_context.h"

namespace kubedbt::op {

inline constexpr std::string_view kDropSchemaFinalizer = "kubedbt.io/drop-schema";
inline constexpr std::string_view kSchemaDroppedCondition = "SchemaDropped";
inline constexpr std::chrono::minutes kDropSchemaRetry{5};

namespace cleanup_reason {
inline constexpr std::string_view kCancellingRun = "CancellingRun";
inline constexpr std::string_view kDroppingSchema = "DroppingSchema";
inline constexpr std::string_view kDropSchemaFailed = "DropSchemaFailed";
inline constexpr std::string_view kProjectNotFound = "ProjectNotFound";
}  // namespace cleanup_reason

// Whether the run's schema is dropped when it is deleted: spec.schema set, keepSchema false.
bool needs_drop_schema(const api::DbtRun& run);
bool has_finalizer(const api::DbtRun& run, std::string_view finalizer);
bool is_being_deleted(const api::DbtRun& run);

// The kubectl command that removes the finalizers by hand (the schema is then left in place).
std::string remove_finalizer_command(const api::DbtRun& run);

// Adds the finalizer (a merge patch carrying resourceVersion, so a stale view is a Conflict).
void add_drop_schema_finalizer(const ReconcileContext& ctx, const api::DbtRun& run);

// One step of the clean-up of a deleted run that carries the finalizer; requeues itself while
// it waits for the run's pod or the clean-up Job.
ReconcileResult finalize_run(const ReconcileContext& ctx, const api::DbtRun& run);

}  // namespace kubedbt::op
