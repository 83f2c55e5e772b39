// DbtRun reconcile: one named decision per path (adopt, finalize, backfill, prune, start,
// observe), called in that order by reconcile_run.
#include "operator/run/run_reconciler.h"

#include <algorithm>

#include "api/duration.h"
#include "common/log.h"
#include "kube/errors.h"
#include "operator/children/child_names.h"
#include "operator/children/workload_builders.h"
#include "operator/core/kinds.h"
#include "operator/core/object_access.h"
#include "operator/core/protected_target_guard.h"
#include "operator/core/start_checks.h"
#include "operator/run/schema_cleanup.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

bool has_finished(const api::DbtRun& run) {
  return run.status.phase && api::is_finished(*run.status.phase);
}

// A CronJob's Job of ours: managed, with a schedule label, owned by a CronJob.
bool is_schedule_job(const Json& job) {
  return label_of(job, label::kManagedBy) == label::kManagedByValue &&
         !label_of(job, label::kSchedule).empty() && controller_of_kind(job, "CronJob");
}

// The DbtRun for a Job its CronJob made, owned by the Job; spec from the schedule when cached.
Json run_for_schedule_job(const ReconcileContext& ctx, const Json& job) {
  const auto& meta = job["metadata"];
  std::string ns = meta.value("namespace", "");
  std::string schedule_name = label_of(job, label::kSchedule);
  Json spec = {{"projectRef", {{"name", label_of(job, label::kProject)}}},
               {"scheduleRef", {{"name", schedule_name}}}};
  // The schedule's name may be fitted into the label; its CronJob's owner names it exactly.
  if (const auto* cron = controller_of_kind(job, "CronJob")) {
    if (auto cj = ctx.cache.get(kube::resources::kCronJobs, ns, cron->value("name", ""))) {
      if (const auto* owner = controller_of_kind(*cj, api::kDbtScheduleKind)) {
        schedule_name = owner->value("name", schedule_name);
        spec["scheduleRef"]["name"] = schedule_name;
      }
    }
  }
  if (auto schedule = ctx.cache.get(kDbtSchedules, ns, schedule_name)) {
    const auto& s = (*schedule)["spec"];
    spec = s;
    for (const char* key :
         {"schedule", "timeZone", "suspend", "concurrencyPolicy", "startingDeadlineSeconds",
          "successfulRunsHistoryLimit", "failedRunsHistoryLimit"}) {
      spec.erase(key);
    }
    spec["scheduleRef"] = {{"name", schedule_name}};
  }
  return {{"apiVersion", std::string(api::kApiVersion)},
          {"kind", std::string(api::kDbtRunKind)},
          {"metadata",
           {{"name", meta.value("name", "")},
            {"namespace", ns},
            {"labels",
             {{std::string(label::kManagedBy), std::string(label::kManagedByValue)},
              {std::string(label::kProject), label_of(job, label::kProject)},
              {std::string(label::kSchedule), label_of(job, label::kSchedule)},
              {std::string(label::kJob), label_value(meta.value("name", ""))}}},
            {"ownerReferences", Json::array({{{"apiVersion", "batch/v1"},
                                              {"kind", "Job"},
                                              {"name", meta.value("name", "")},
                                              {"uid", meta.value("uid", "")},
                                              {"controller", true}}})}}},
          {"spec", spec}};
}

// Fails a run before it starts (protected target, invalid spec): phase Failed with a reason.
void refuse(const ReconcileContext& ctx, const api::DbtRun& run, std::string_view reason,
            const std::string& message) {
  RunObservation o;
  o.phase = api::RunPhase::Failed;
  o.reason = std::string(reason);
  o.message = message;
  auto patch =
      run_status_patch(run.status, o, "", run.metadata.generation, ctx.clock.now_seconds());
  if (patch.is_null()) return;
  ctx.client.merge_patch(kDbtRuns, run.metadata.namespace_, run.metadata.name, patch, "status");
  ctx.events.record(api::kDbtRunKind, run.metadata, "Warning", reason, message);
  log::warn("refused to start a run", {{"namespace", run.metadata.namespace_},
                                       {"name", run.metadata.name},
                                       {"reason", std::string(reason)}});
}

// Pending with a message (waiting for the project); written only when it changes.
void wait_for(const ReconcileContext& ctx, const api::DbtRun& run, std::string_view reason,
              const std::string& message) {
  RunObservation o;
  o.reason = std::string(reason);
  o.message = message;
  auto patch =
      run_status_patch(run.status, o, "", run.metadata.generation, ctx.clock.now_seconds());
  if (!patch.is_null()) {
    ctx.client.merge_patch(kDbtRuns, run.metadata.namespace_, run.metadata.name, patch, "status");
  }
}

// Why a user-created run may not have its name: the name has the form of the Jobs of a
// DbtSchedule's CronJob (<cronjob>-<scheduled minutes>), which is the name that schedule's run
// gets when its CronJob fires at that minute. std::nullopt when the name is free.
std::optional<std::string> reserved_name_refusal(const ReconcileContext& ctx,
                                                 const api::DbtRun& run) {
  for (const auto& schedule : ctx.cache.list(kDbtSchedules, run.metadata.namespace_)) {
    std::string schedule_name = schedule["metadata"].value("name", "");
    if (!is_schedule_job_name(run.metadata.name, schedule_name)) continue;
    return "The name " + run.metadata.name + " has the form of the runs of DbtSchedule " +
           schedule_name + " (" + cron_job_name(schedule_name) +
           "-<minutes>), which its CronJob creates; a run under that name would take the "
           "place of a scheduled run. Create the DbtRun under a name that does not end in "
           "-<digits>.";
  }
  return std::nullopt;
}

// Deletes the oldest finished user-created runs of the run's project beyond the history limit.
void prune_history(const ReconcileContext& ctx, const api::DbtRun& finished_run) {
  std::vector<api::DbtRun> runs;
  for (const auto& object : ctx.cache.list(kDbtRuns, finished_run.metadata.namespace_)) {
    try {
      auto run = api::dbt_run_from_json(object);
      if (run.spec.project_ref.name == finished_run.spec.project_ref.name) runs.push_back(run);
    } catch (const api::DecodeError&) {
    }
  }
  for (const auto& name : runs_to_prune(runs, ctx.config.run_history_limit)) {
    if (delete_in_background(ctx.client, kDbtRuns, finished_run.metadata.namespace_, name)) {
      log::info("pruned a finished run",
                {{"namespace", finished_run.metadata.namespace_}, {"name", name}});
    }
  }
}

}  // namespace

Json run_status_patch(const api::DbtRunStatus& current, const RunObservation& observed,
                      const std::string& job_name, std::int64_t generation, api::Timestamp now) {
  Json status = Json::object();
  if (!job_name.empty() && current.job_name != job_name) status["jobName"] = job_name;
  if (observed.start_time && !current.start_time) {
    status["startTime"] = api::format_timestamp(*observed.start_time);
  }
  bool finished_before = current.phase && api::is_finished(*current.phase);
  if (!finished_before) {
    // The runner reports Running itself; a Pending observation never moves a run backwards.
    bool regress = observed.phase == api::RunPhase::Pending && current.phase &&
                   *current.phase == api::RunPhase::Running;
    if (!regress && current.phase != observed.phase) {
      status["phase"] = std::string(api::to_string(observed.phase));
    }
    if (!regress && !observed.message.empty() && current.message != observed.message) {
      status["message"] = observed.message;
    }
    if (api::is_finished(observed.phase)) {
      if (observed.completion_time && !current.completion_time) {
        status["completionTime"] = api::format_timestamp(*observed.completion_time);
        auto start = current.start_time ? current.start_time : observed.start_time;
        if (start) status["duration"] = api::format_duration(*observed.completion_time - *start);
      }
      auto conditions = current.conditions;
      bool ok = observed.phase == api::RunPhase::Succeeded;
      api::set_condition(
          conditions,
          api::make_condition(api::condition_type::kSucceeded,
                              ok ? api::ConditionStatus::True : api::ConditionStatus::False,
                              observed.reason, observed.message, generation),
          now);
      api::set_condition(
          conditions,
          api::make_condition(api::condition_type::kComplete, api::ConditionStatus::True,
                              observed.reason, observed.message, generation),
          now);
      status["conditions"] = api::encode_conditions(conditions);
    }
  }
  if (status.empty()) return nullptr;
  return Json{{"status", status}};
}

std::vector<std::string> runs_to_prune(const std::vector<api::DbtRun>& runs, int limit) {
  std::vector<const api::DbtRun*> finished;
  for (const auto& run : runs) {
    bool user_created = !controller_of_kind(Json{{"metadata", api::encode(run.metadata)}}, "Job");
    if (user_created && run.status.phase && api::is_finished(*run.status.phase)) {
      finished.push_back(&run);
    }
  }
  if (static_cast<int>(finished.size()) <= limit) return {};
  std::sort(finished.begin(), finished.end(), [](const api::DbtRun* a, const api::DbtRun* b) {
    auto ta = a->status.completion_time.value_or(api::Timestamp{});
    auto tb = b->status.completion_time.value_or(api::Timestamp{});
    return ta != tb ? ta < tb : a->metadata.name < b->metadata.name;
  });
  std::vector<std::string> names;
  for (std::size_t i = 0; i + limit < finished.size(); ++i) {
    names.push_back(finished[i]->metadata.name);
  }
  return names;
}

namespace {

// Adopt: a Job of a managed CronJob with no DbtRun yet gets one, owned by the Job, so no run is
// invisible. The runner may create it first; either copy is the run.
ReconcileResult adopt_schedule_job(const ReconcileContext& ctx, const std::string& ns,
                                   const std::string& name) {
  auto job = ctx.cache.get(kube::resources::kJobs, ns, name);
  if (!job || !is_schedule_job(*job)) return {};
  try {
    ctx.client.create(kDbtRuns, ns, run_for_schedule_job(ctx, *job));
    log::info("created the DbtRun of a scheduled Job", {{"namespace", ns}, {"name", name}});
  } catch (const kube::AlreadyExists&) {
  }
  return {kStaleViewRetry};
}

// Finalize: a deleted run with its own schema drops that schema before it goes
// (schema_cleanup.h); any other deleted run is left to the garbage collector.
ReconcileResult finalize(const ReconcileContext& ctx, const api::DbtRun& run) {
  if (has_finalizer(run, kDropSchemaFinalizer)) return finalize_run(ctx, run);
  return {};
}

// Backfill: the runner's copy of a scheduled run lacks the labels the schedule's status selects
// on; they are copied from its Job once.
void backfill_schedule_labels(const ReconcileContext& ctx, const Json& run_object,
                              const std::string& job_name) {
  auto job = ctx.cache.get(kube::resources::kJobs, run_object["metadata"].value("namespace", ""),
                           job_name);
  if (!job || !label_of(run_object, label::kSchedule).empty() ||
      label_of(*job, label::kSchedule).empty()) {
    return;
  }
  ctx.client.merge_patch(
      kDbtRuns, run_object["metadata"].value("namespace", ""),
      run_object["metadata"].value("name", ""),
      Json{{"metadata",
            {{"labels",
              {{std::string(label::kSchedule), label_of(*job, label::kSchedule)},
               {std::string(label::kProject), label_of(*job, label::kProject)},
               {std::string(label::kManagedBy), std::string(label::kManagedByValue)}}}}}});
}

// Whether `job` is this run's: its controller owner reference names the run's uid.
bool is_jobs_controller(const Json& job, const api::DbtRun& run) {
  const auto* owner = controller_of_kind(job, api::kDbtRunKind);
  return owner && owner->value("uid", "") == run.metadata.uid;
}

// A Job of the run's name that another object controls is never adopted or reported as the
// run's. The Job of a deleted DbtRun of the same name (deleted and created again at once) is on
// its way out: the run waits for the garbage collector. Any other such Job fails the run.
ReconcileResult reject_foreign_job(const ReconcileContext& ctx, const api::DbtRun& run,
                                   const Json& job) {
  const std::string name = job["metadata"].value("name", "");
  const auto* owner = controller_of_kind(job, api::kDbtRunKind);
  if (owner && owner->value("name", "") == run.metadata.name) {
    wait_for(ctx, run, run_reason::kPreviousRunJob,
             "Waiting for Job " + name +
                 " of the deleted DbtRun of this name to be removed before this run starts.");
    return {kStaleViewRetry};
  }
  std::string whose = owner ? "DbtRun " + owner->value("name", "") : "another controller, or none";
  refuse(ctx, run, run_reason::kJobNameTaken,
         "Job " + name + " already exists and belongs to " + whose +
             ", not to this run, so its result is not this run's. Create the DbtRun under "
             "another name.");
  return {};
}

// Start: a user-created run's Job is created only after every start check passes
// (start_checks.h); a blocked run waits Pending or fails before it starts, with the reason.
// Returns the result to stop with, or std::nullopt when the Job was created.
std::optional<ReconcileResult> start(const ReconcileContext& ctx, const api::DbtRun& run) {
  auto decision = check_start(ctx.cache, run);
  if (const auto* block = std::get_if<StartBlock>(&decision)) {
    if (block->action == StartBlock::Action::kRefuse) {
      refuse(ctx, run, block->reason, block->message);
    } else {
      wait_for(ctx, run, block->reason, block->message);
    }
    return ReconcileResult{};
  }
  const auto& plan = std::get<StartPlan>(decision);
  if (plan.project.spec.targets.at(plan.target).is_protected) {
    if (auto why = unguarded_target_refusal(ctx.client, ctx.config.protected_targets_policy,
                                            run.metadata.namespace_, plan.project.metadata.name,
                                            plan.target)) {
      refuse(ctx, run, run_reason::kProtectedTargetUnguarded, *why);
      return ReconcileResult{};
    }
  }
  const std::string job = job_name_of(run);
  try {
    ctx.client.create(kube::resources::kJobs, run.metadata.namespace_,
                      build_job(run, plan.project, plan.target, ctx.config));
  } catch (const kube::AlreadyExists&) {
    // Ours, created before a crash and not cached yet; or a Job the cache does not watch (no
    // kubedbt labels) that holds the name: read it once to tell.
    auto existing = ctx.client.get(kube::resources::kJobs, run.metadata.namespace_, job);
    if (!is_jobs_controller(existing, run)) return reject_foreign_job(ctx, run, existing);
    return ReconcileResult{kStaleViewRetry};
  }
  log::info("created the Job of a run",
            {{"namespace", run.metadata.namespace_}, {"name", run.metadata.name}, {"job", job}});
  ctx.events.record(api::kDbtRunKind, run.metadata, "Normal", "JobCreated",
                    "Created Job " + job + ".");
  return std::nullopt;
}

// Observe: what only the cluster knows (Job and pod state) goes into the status; a phase the
// runner finished is never changed (run_status_patch). Unfinished runs are looked at again in a
// minute, when a pending pod would count as never started.
ReconcileResult observe(const ReconcileContext& ctx, const api::DbtRun& run,
                        const std::string& job_name) {
  const std::string& ns = run.metadata.namespace_;
  auto job = ctx.cache.get(kube::resources::kJobs, ns, job_name);
  if (!job) return {};  // the Job's informer event brings this key back
  auto now = ctx.clock.now_seconds();
  auto observed = observe_run(*job, pods_of_job(ctx.cache, ns, job_name), run.spec.timeout, now);
  auto patch = run_status_patch(run.status, observed, job_name, run.metadata.generation, now);
  if (!patch.is_null()) {
    ctx.client.merge_patch(kDbtRuns, ns, run.metadata.name, patch, "status");
    if (api::is_finished(observed.phase) && !has_finished(run)) {
      ctx.events.record(api::kDbtRunKind, run.metadata,
                        observed.phase == api::RunPhase::Succeeded ? "Normal" : "Warning",
                        observed.reason, observed.message);
    }
  }
  ReconcileResult result;
  if (!api::is_finished(observed.phase)) result.requeue_after = std::chrono::minutes(1);
  return result;
}

// Stop: a run the operator ended before its pod ran (image, configuration, never scheduled) stays
// ended: its Job would otherwise start the runner once the image or Secret appears. A
// user-created run's Job is deleted; a scheduled run's Job owns the DbtRun, so it is ended by an
// active deadline that has already passed (the Job controller deletes its pod and marks it Failed).
void stop_job_of_ended_run(const ReconcileContext& ctx, const api::DbtRun& run,
                           const std::string& job_name, bool scheduled) {
  const auto* ended = api::find_condition(run.status.conditions, api::condition_type::kSucceeded);
  if (!has_finished(run) || !ended || !ended_before_the_pod_ran(ended->reason)) return;
  const std::string& ns = run.metadata.namespace_;
  auto job = ctx.cache.get(kube::resources::kJobs, ns, job_name);
  if (!job || (*job)["metadata"].contains("deletionTimestamp") ||
      true_condition(*job, "Complete") || true_condition(*job, "Failed")) {
    return;
  }
  if (scheduled) {
    if ((*job)["spec"].value("activeDeadlineSeconds", 0) == 1) return;
    ctx.client.merge_patch(kube::resources::kJobs, ns, job_name,
                           Json{{"spec", {{"activeDeadlineSeconds", 1}}}});
  } else {
    if (!is_jobs_controller(*job, run)) return;
    delete_in_background(ctx.client, kube::resources::kJobs, ns, job_name);
  }
  ctx.events.record(api::kDbtRunKind, run.metadata, "Normal", "JobStopped",
                    "Stopped Job " + job_name + " (" + ended->reason +
                        "): the run has ended, so its pod must not start the runner later.");
  log::info("stopped the Job of a run that ended before its pod ran",
            {{"namespace", ns}, {"name", run.metadata.name}, {"job", job_name}});
}

}  // namespace

ReconcileResult reconcile_run(const ReconcileContext& ctx, const std::string& ns,
                              const std::string& name) {
  auto object = ctx.cache.get(kDbtRuns, ns, name);
  if (!object) return adopt_schedule_job(ctx, ns, name);
  auto run = decode_or_log(api::dbt_run_from_json, *object, "DbtRun", ns, name);
  if (!run) return {};
  if (is_being_deleted(*run)) return finalize(ctx, *run);
  if (needs_drop_schema(*run) && !has_finalizer(*run, kDropSchemaFinalizer)) {
    add_drop_schema_finalizer(ctx, *run);
  }
  if (const auto* owner_job = controller_of_kind(*object, "Job")) {
    std::string job = owner_job->value("name", "");
    backfill_schedule_labels(ctx, *object, job);
    stop_job_of_ended_run(ctx, *run, job, true);
    return observe(ctx, *run, job);
  }
  const std::string job_name = job_name_of(*run);
  // A finished run never changes again (Ended stays ended): its Job is stopped if its pod never
  // ran, and its history is pruned.
  if (has_finished(*run)) {
    stop_job_of_ended_run(ctx, *run, job_name, false);
    prune_history(ctx, *run);
    return {};
  }
  if (auto refusal = reserved_name_refusal(ctx, *run)) {
    refuse(ctx, *run, run_reason::kNameReservedForSchedule, *refusal);
    return {};
  }
  auto job = ctx.cache.get(kube::resources::kJobs, ns, job_name);
  if (!job) {
    if (auto stop = start(ctx, *run)) return *stop;
  } else if (!is_jobs_controller(*job, *run)) {
    return reject_foreign_job(ctx, *run, *job);
  }
  return observe(ctx, *run, job_name);
}

}  // namespace kubedbt::op
