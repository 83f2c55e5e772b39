// DbtRun reconcile: adopt a CronJob's Job, or start a user run's Job; then observe and prune.
#include "operator/run_reconciler.h"

#include <algorithm>

#include "api/duration.h"
#include "api/validation.h"
#include "common/log.h"
#include "kube/errors.h"
#include "operator/child_names.h"
#include "operator/kinds.h"
#include "operator/owner_reference.h"
#include "operator/schema_cleanup.h"
#include "operator/workload_builders.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

std::string label_of(const Json& object, std::string_view key) {
  return object["metadata"].value("labels", Json::object()).value(std::string(key), "");
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
                                              {"controller", true},
                                              {"blockOwnerDeletion", true}}})}}},
          {"spec", spec}};
}

std::vector<Json> pods_of(const ReconcileContext& ctx, const std::string& ns,
                          const std::string& job) {
  std::vector<Json> pods;
  for (auto& pod : ctx.cache.list(kube::resources::kPods, ns)) {
    if (label_of(pod, label::kJobName) == job) pods.push_back(std::move(pod));
  }
  return pods;
}

api::Condition condition(std::string_view type, bool value, std::string reason, std::string message,
                         std::int64_t generation) {
  api::Condition c;
  c.type = std::string(type);
  c.status = value ? api::ConditionStatus::True : api::ConditionStatus::False;
  c.reason = std::move(reason);
  c.message = std::move(message);
  c.observed_generation = generation;
  return c;
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

void prune(const ReconcileContext& ctx, const api::DbtRun& finished_run) {
  std::vector<api::DbtRun> runs;
  for (const auto& object : ctx.cache.list(kDbtRuns, finished_run.metadata.namespace_)) {
    try {
      auto run = api::dbt_run_from_json(object);
      if (run.spec.project_ref.name == finished_run.spec.project_ref.name) runs.push_back(run);
    } catch (const api::DecodeError&) {
    }
  }
  for (const auto& name : runs_to_prune(runs, ctx.config.run_history_limit)) {
    try {
      kube::DeleteOptions opts;
      opts.propagation_policy = "Background";
      ctx.client.remove(kDbtRuns, finished_run.metadata.namespace_, name, opts);
      log::info("pruned a finished run",
                {{"namespace", finished_run.metadata.namespace_}, {"name", name}});
    } catch (const kube::NotFound&) {
    }
  }
}

}  // namespace

std::optional<std::string> protected_target_refusal(const api::DbtRun& run,
                                                    const api::DbtProject& project,
                                                    const std::string& target) {
  auto it = project.spec.targets.find(target);
  if (it == project.spec.targets.end() || !it->second.is_protected) return std::nullopt;
  if (!run.spec.target) {
    return "Target " + target + " of DbtProject " + project.metadata.name +
           " is protected: name it explicitly in spec.target so the admission policy can check "
           "who asks for it.";
  }
  if (run.metadata.annotations.count(std::string(annotation::kRequestedBy))) return std::nullopt;
  return "Target " + target + " of DbtProject " + project.metadata.name +
         " is protected: a run on it starts only from a DbtSchedule or when created by a member "
         "of an allowed group (the kubedbt-protected-targets policy records it in the " +
         std::string(annotation::kRequestedBy) + " annotation), so this run was not started.";
}

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
      api::set_condition(conditions,
                         condition(api::condition_type::kSucceeded, ok, observed.reason,
                                   observed.message, generation),
                         now);
      api::set_condition(conditions,
                         condition(api::condition_type::kComplete, true, observed.reason,
                                   observed.message, generation),
                         now);
      Json encoded = Json::array();
      for (const auto& c : conditions) encoded.push_back(api::encode(c));
      status["conditions"] = encoded;
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

ReconcileResult reconcile_run(const ReconcileContext& ctx, const std::string& ns,
                              const std::string& name) {
  auto object = ctx.cache.get(kDbtRuns, ns, name);
  if (!object) {
    // A Job of a managed CronJob with no DbtRun yet: make one, so no run is invisible.
    auto job = ctx.cache.get(kube::resources::kJobs, ns, name);
    if (!job || !is_schedule_job(*job)) return {};
    try {
      ctx.client.create(kDbtRuns, ns, run_for_schedule_job(ctx, *job));
      log::info("created the DbtRun of a scheduled Job", {{"namespace", ns}, {"name", name}});
    } catch (const kube::AlreadyExists&) {
      // The runner made it first; either copy is the run.
    }
    return {kStaleViewRetry};
  }
  auto decoded = decode_or_log(api::dbt_run_from_json, *object, "DbtRun", ns, name);
  if (!decoded) return {};
  api::DbtRun& run = *decoded;
  if (is_being_deleted(run)) {
    if (has_finalizer(run, kDropSchemaFinalizer)) return finalize_run(ctx, run);
    return {};
  }
  if (needs_drop_schema(run) && !has_finalizer(run, kDropSchemaFinalizer)) {
    add_drop_schema_finalizer(ctx, run);
  }

  const auto* owner_job = controller_of_kind(*object, "Job");
  std::string job_name_for_run;
  if (owner_job) {
    job_name_for_run = owner_job->value("name", "");
    // The runner's copy lacks the schedule label the status summary selects on: add it.
    auto job = ctx.cache.get(kube::resources::kJobs, ns, job_name_for_run);
    if (job && label_of(*object, label::kSchedule).empty() &&
        !label_of(*job, label::kSchedule).empty()) {
      ctx.client.merge_patch(
          kDbtRuns, ns, name,
          Json{{"metadata",
                {{"labels",
                  {{std::string(label::kSchedule), label_of(*job, label::kSchedule)},
                   {std::string(label::kProject), label_of(*job, label::kProject)},
                   {std::string(label::kManagedBy), std::string(label::kManagedByValue)}}}}}});
    }
  } else {
    if (run.status.phase && api::is_finished(*run.status.phase)) {
      prune(ctx, run);
      return {};
    }
    job_name_for_run = job_name(name);
    if (!ctx.cache.get(kube::resources::kJobs, ns, job_name_for_run)) {
      auto errors = api::validate(run);
      if (!errors.empty()) {
        refuse(ctx, run, run_reason::kInvalidSpec, api::join_messages(errors));
        return {};
      }
      auto project_object = ctx.cache.get(kDbtProjects, ns, run.spec.project_ref.name);
      if (!project_object) {
        wait_for(
            ctx, run, run_reason::kProjectNotFound,
            "Waiting for DbtProject " + run.spec.project_ref.name + " in namespace " + ns + ".");
        return {};
      }
      auto project = api::dbt_project_from_json(*project_object);
      errors = api::validate_against_project(run, project);
      if (!errors.empty()) {
        refuse(ctx, run, run_reason::kInvalidSpec, api::join_messages(errors));
        return {};
      }
      const std::string* target =
          run.spec.target ? &*run.spec.target : project.spec.effective_default_target();
      if (!target) {
        refuse(ctx, run, run_reason::kInvalidSpec,
               "spec.target is required: DbtProject " + project.metadata.name +
                   " has no default target.");
        return {};
      }
      if (auto why = protected_target_refusal(run, project, *target)) {
        refuse(ctx, run, run_reason::kProtectedTarget, *why);
        return {};
      }
      if (!api::is_condition_true(project.status.conditions, api::condition_type::kReady)) {
        const auto* c = api::find_condition(project.status.conditions, api::condition_type::kReady);
        wait_for(ctx, run, run_reason::kProjectNotReady,
                 "Waiting for DbtProject " + project.metadata.name + " to be Ready" +
                     (c && !c->message.empty() ? ": " + c->message : "."));
        return {};
      }
      try {
        ctx.client.create(kube::resources::kJobs, ns, build_job(run, project, *target, ctx.config));
        log::info("created the Job of a run",
                  {{"namespace", ns}, {"name", name}, {"job", job_name_for_run}});
      } catch (const kube::AlreadyExists&) {
        return {kStaleViewRetry};
      }
      ctx.events.record(api::kDbtRunKind, run.metadata, "Normal", "JobCreated",
                        "Created Job " + job_name_for_run + ".");
    }
  }

  auto job = ctx.cache.get(kube::resources::kJobs, ns, job_name_for_run);
  if (!job) return {};  // the Job's informer event brings this key back
  auto observed = observe_run(*job, pods_of(ctx, ns, job_name_for_run), run.spec.timeout,
                              ctx.clock.now_seconds());
  auto patch = run_status_patch(run.status, observed, job_name_for_run, run.metadata.generation,
                                ctx.clock.now_seconds());
  if (!patch.is_null()) {
    ctx.client.merge_patch(kDbtRuns, ns, name, patch, "status");
    if (api::is_finished(observed.phase) &&
        !(run.status.phase && api::is_finished(*run.status.phase))) {
      ctx.events.record(api::kDbtRunKind, run.metadata,
                        observed.phase == api::RunPhase::Succeeded ? "Normal" : "Warning",
                        observed.reason, observed.message);
    }
  }
  ReconcileResult result;
  // A pending pod is looked at again when it would count as never started.
  if (!api::is_finished(observed.phase)) result.requeue_after = std::chrono::minutes(1);
  return result;
}

}  // namespace kubedbt::op
