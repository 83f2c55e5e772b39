// Schema clean-up: cancel the run, then one drop-schema Job, then the finalizer goes.
#include "operator/run/schema_cleanup.h"

#include "api/condition.h"
#include "common/log.h"
#include "kube/errors.h"
#include "operator/children/child_names.h"
#include "operator/children/workload_builders.h"
#include "operator/core/kinds.h"
#include "operator/core/object_access.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

constexpr std::chrono::seconds kPollWhileStopping{2};
constexpr std::chrono::minutes kPollWithoutProject{1};

std::vector<std::string> finalizers_of(const api::DbtRun& run) {
  std::vector<std::string> out;
  for (const auto& f : run.metadata.other.value("finalizers", Json::array())) {
    if (f.is_string()) out.push_back(f.get<std::string>());
  }
  return out;
}

void patch_finalizers(const ReconcileContext& ctx, const api::DbtRun& run,
                      const std::vector<std::string>& finalizers) {
  ctx.client.merge_patch(
      kDbtRuns, run.metadata.namespace_, run.metadata.name,
      Json{{"metadata",
            {{"finalizers", finalizers}, {"resourceVersion", run.metadata.resource_version}}}});
}

// The last line of the runner's termination message (what drop-schema did, or why it failed), if
// any pod has one; the newest pod wins.
std::string termination_detail(const std::vector<Json>& pods) {
  std::string detail, newest;
  for (const auto& pod : pods) {
    std::string created = pod["metadata"].value("creationTimestamp", "");
    for (const auto& s :
         pod.value("status", Json::object()).value("containerStatuses", Json::array())) {
      const auto& terminated = s.value("state", Json::object()).value("terminated", Json::object());
      std::string message = terminated.value("message", "");
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
      }
      auto last = message.rfind('\n');
      if (last != std::string::npos) message = message.substr(last + 1);
      if (!message.empty() && created >= newest) {
        newest = created;
        detail = message;
      }
    }
  }
  return detail.substr(0, 512);
}

// Sets the SchemaDropped condition; writes status and records an Event only when it changed.
void report(const ReconcileContext& ctx, const api::DbtRun& run, std::string_view reason,
            const std::string& message, bool warning) {
  auto conditions = run.status.conditions;
  auto c = api::make_condition(kSchemaDroppedCondition, api::ConditionStatus::False, reason,
                               message, run.metadata.generation);
  if (!api::set_condition(conditions, c, ctx.clock.now_seconds())) return;
  ctx.client.merge_patch(kDbtRuns, run.metadata.namespace_, run.metadata.name,
                         Json{{"status", {{"conditions", api::encode_conditions(conditions)}}}},
                         "status");
  ctx.events.record(api::kDbtRunKind, run.metadata, warning ? "Warning" : "Normal", reason,
                    message);
}

void remove_drop_schema_finalizer(const ReconcileContext& ctx, const api::DbtRun& run) {
  std::vector<std::string> kept;
  for (auto& f : finalizers_of(run)) {
    if (f != kDropSchemaFinalizer) kept.push_back(std::move(f));
  }
  patch_finalizers(ctx, run, kept);
}

}  // namespace

bool needs_drop_schema(const api::DbtRun& run) {
  return run.spec.schema.has_value() && !run.spec.keep_schema;
}

bool has_finalizer(const api::DbtRun& run, std::string_view finalizer) {
  for (const auto& f : finalizers_of(run)) {
    if (f == finalizer) return true;
  }
  return false;
}

bool is_being_deleted(const api::DbtRun& run) {
  return run.metadata.other.contains("deletionTimestamp") &&
         !run.metadata.other["deletionTimestamp"].is_null();
}

std::string remove_finalizer_command(const api::DbtRun& run) {
  return "kubectl patch dbtrun " + run.metadata.name + " -n " + run.metadata.namespace_ +
         " --type=merge -p '{\"metadata\":{\"finalizers\":null}}'";
}

void add_drop_schema_finalizer(const ReconcileContext& ctx, const api::DbtRun& run) {
  auto finalizers = finalizers_of(run);
  finalizers.emplace_back(kDropSchemaFinalizer);
  patch_finalizers(ctx, run, finalizers);
  log::info("added the drop-schema finalizer",
            {{"namespace", run.metadata.namespace_}, {"name", run.metadata.name}});
}

ReconcileResult finalize_run(const ReconcileContext& ctx, const api::DbtRun& run) {
  const std::string& ns = run.metadata.namespace_;
  const std::string& name = run.metadata.name;
  const std::string schema = run.spec.schema.value_or("");
  const std::string by_hand = "To delete the DbtRun and keep the schema, remove the finalizer: " +
                              remove_finalizer_command(run);

  // 1. Cancel the run: its Job goes first, and the drop waits until its pods are gone.
  const std::string run_job = job_name_of(run);
  if (auto job = ctx.cache.get(kube::resources::kJobs, ns, run_job)) {
    if (!(*job)["metadata"].contains("deletionTimestamp")) {
      delete_in_background(ctx.client, kube::resources::kJobs, ns, run_job);
      log::info("deleted the Job of a deleted run",
                {{"namespace", ns}, {"name", name}, {"job", run_job}});
    }
    report(ctx, run, cleanup_reason::kCancellingRun,
           "Waiting for Job " + run_job + " and its pod to stop before dropping schema " + schema +
               ".",
           false);
    return {kPollWhileStopping};
  }
  if (!pods_of_job(ctx.cache, ns, run_job).empty()) return {kPollWhileStopping};
  if (!run.status.job_name) {
    // The run never started, so it built nothing.
    remove_drop_schema_finalizer(ctx, run);
    log::info("removed the drop-schema finalizer of a run that never started",
              {{"namespace", ns}, {"name", name}});
    return {};
  }

  // 2. One clean-up Job.
  const std::string drop_job = drop_schema_job_name(name);
  auto job = ctx.cache.get(kube::resources::kJobs, ns, drop_job);
  if (!job) {
    auto project_object = ctx.cache.get(kDbtProjects, ns, run.spec.project_ref.name);
    if (!project_object) {
      report(ctx, run, cleanup_reason::kProjectNotFound,
             "Cannot drop schema " + schema + ": DbtProject " + run.spec.project_ref.name +
                 " no longer exists, so the target and its credentials are unknown. Restore the "
                 "DbtProject, or drop the schema yourself. " +
                 by_hand,
             true);
      return {std::chrono::duration_cast<std::chrono::milliseconds>(kPollWithoutProject)};
    }
    auto project = api::dbt_project_from_json(*project_object);
    try {
      ctx.client.create(
          kube::resources::kJobs, ns,
          build_drop_schema_job(run, project, run.spec.target.value_or(""), ctx.config));
    } catch (const kube::AlreadyExists&) {
      return {kStaleViewRetry};
    } catch (const std::invalid_argument& e) {
      report(ctx, run, cleanup_reason::kDropSchemaFailed,
             "Cannot drop schema " + schema + ": " + e.what() + ". " + by_hand, true);
      return {std::chrono::duration_cast<std::chrono::milliseconds>(kPollWithoutProject)};
    }
    log::info("created the drop-schema Job",
              {{"namespace", ns}, {"name", name}, {"job", drop_job}});
    report(ctx, run, cleanup_reason::kDroppingSchema,
           "Job " + drop_job + " drops schema " + schema + " and the schemas the run built.",
           false);
    return {};
  }
  if ((*job)["metadata"].contains("deletionTimestamp")) return {kPollWhileStopping};
  if (true_condition(*job, "Complete")) {
    remove_drop_schema_finalizer(ctx, run);
    std::string detail = termination_detail(pods_of_job(ctx.cache, ns, drop_job));
    ctx.events.record(api::kDbtRunKind, run.metadata, "Normal", "SchemaDropped",
                      detail.empty()
                          ? "Dropped schema " + schema + " and the schemas the run built."
                          : "Job " + drop_job + ": " + detail);
    log::info("dropped the run's schema; finalizer removed",
              {{"namespace", ns}, {"name", name}, {"schema", schema}});
    return {};
  }
  if (auto failed = true_condition(*job, "Failed")) {
    std::string detail = termination_detail(pods_of_job(ctx.cache, ns, drop_job));
    report(ctx, run, cleanup_reason::kDropSchemaFailed,
           "Dropping schema " + schema + " failed (Job " + drop_job + ")" +
               (detail.empty() ? "" : ": " + detail) +
               ". It is retried every 5 minutes; fix the cause (such as the target's password "
               "Secret) or " +
               by_hand,
           true);
    auto failed_at = api::parse_timestamp(failed->value("lastTransitionTime", ""));
    auto retry_at = failed_at.value_or(ctx.clock.now_seconds()) + kDropSchemaRetry;
    if (ctx.clock.now_seconds() >= retry_at) {
      delete_in_background(ctx.client, kube::resources::kJobs, ns, drop_job);
      return {kPollWhileStopping};
    }
    return {
        std::chrono::duration_cast<std::chrono::milliseconds>(retry_at - ctx.clock.now_seconds())};
  }
  return {};  // running; the Job's events bring this run back
}

}  // namespace kubedbt::op
