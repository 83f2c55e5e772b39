// DbtSchedule reconcile: load, decide (invalid / no project / apply), then advance the status.
#include "operator/schedule/schedule_reconciler.h"

#include <algorithm>
#include <cstdio>

#include "api/cron_schedule.h"
#include "api/duration.h"
#include "common/log.h"
#include "kube/errors.h"
#include "operator/children/child_names.h"
#include "operator/children/workload_builders.h"
#include "operator/core/kinds.h"
#include "operator/core/object_access.h"
#include "operator/core/start_checks.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kRecentRuns = 10;

std::string hash_text(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

api::Condition ready(api::ConditionStatus status, std::string_view reason, std::string message,
                     std::int64_t generation) {
  return api::make_condition(api::condition_type::kReady, status, reason, std::move(message),
                             generation);
}

api::RunReference reference(const api::DbtRun& run) {
  api::RunReference r;
  r.name = run.metadata.name;
  r.phase = run.status.phase;
  r.start_time = run.status.start_time;
  r.completion_time = run.status.completion_time;
  r.duration = run.status.duration;
  r.summary = run.status.summary;
  return r;
}

std::string creation_time(const api::DbtRun& run) {
  return run.metadata.other.value("creationTimestamp", "");
}

// Patches status when it changed; returns whether it wrote.
bool write_status(const ReconcileContext& ctx, const api::DbtSchedule& schedule,
                  const api::DbtScheduleStatus& status) {
  if (status == schedule.status) return false;
  ctx.client.merge_patch(kDbtSchedules, schedule.metadata.namespace_, schedule.metadata.name,
                         Json{{"status", api::encode(status)}}, "status");
  return true;
}

// The object `object`'s controller owner of `kind` points at, when the cache holds it with the
// uid the reference names; null otherwise.
std::optional<Json> controller_object(const ReconcileContext& ctx, const Json& object,
                                      std::string_view kind, const kube::Resource& resource) {
  const auto* owner = controller_of_kind(object, kind);
  if (!owner) return std::nullopt;
  auto found =
      ctx.cache.get(resource, object["metadata"].value("namespace", ""), owner->value("name", ""));
  if (!found || (*found)["metadata"].value("uid", "") != owner->value("uid", "")) {
    return std::nullopt;
  }
  return found;
}

// Whether `run` was started by `schedule`: its owner chain is Job -> CronJob -> this schedule
// (uids checked at each step). A label is not proof: anyone who may create a DbtRun can set it.
bool started_by(const ReconcileContext& ctx, const Json& run, const api::DbtSchedule& schedule) {
  auto job = controller_object(ctx, run, "Job", kube::resources::kJobs);
  if (!job) return false;
  auto cron_job = controller_object(ctx, *job, "CronJob", kube::resources::kCronJobs);
  if (!cron_job) return false;
  const auto* owner = controller_of_kind(*cron_job, api::kDbtScheduleKind);
  return owner && owner->value("uid", "") == schedule.metadata.uid;
}

std::vector<api::DbtRun> runs_of(const ReconcileContext& ctx, const api::DbtSchedule& schedule) {
  std::vector<api::DbtRun> runs;
  for (const auto& object : ctx.cache.list(kDbtRuns, schedule.metadata.namespace_)) {
    if (!started_by(ctx, object, schedule)) continue;
    try {
      runs.push_back(api::dbt_run_from_json(object));
    } catch (const api::DecodeError&) {
      // A run the operator cannot read does not break its schedule's status.
    }
  }
  return runs;
}

}  // namespace

void summarise_runs(api::DbtScheduleStatus& status, std::vector<api::DbtRun> runs) {
  std::sort(runs.begin(), runs.end(), [](const api::DbtRun& a, const api::DbtRun& b) {
    auto ta = creation_time(a), tb = creation_time(b);
    return ta != tb ? ta > tb : a.metadata.name > b.metadata.name;
  });
  status.recent_runs.clear();
  status.active_runs.clear();
  status.last_run.reset();
  status.last_successful_run.reset();
  status.freshness.reset();
  bool freshness_seen = false;
  for (const auto& run : runs) {
    // The newest finished run that checked sources decides the schedule's freshness.
    if (!freshness_seen && run.status.phase && api::is_finished(*run.status.phase) &&
        run.status.freshness()) {
      status.freshness = run.status.freshness();
      freshness_seen = true;
    }
    if (status.recent_runs.size() < kRecentRuns) status.recent_runs.push_back(reference(run));
    if (!run.status.phase || !api::is_finished(*run.status.phase)) {
      status.active_runs.push_back(run.metadata.name);
    }
    if (!status.last_run) status.last_run = reference(run);
    if (!status.last_successful_run && run.status.phase == api::RunPhase::Succeeded) {
      status.last_successful_run = reference(run);
    }
  }
  std::sort(status.active_runs.begin(), status.active_runs.end());
}

Json cron_job_with_hash(Json cron_job) {
  cron_job["metadata"].erase("annotations");
  auto hash = hash_text(cron_job.dump());
  cron_job["metadata"]["annotations"] = {{std::string(kSpecHashAnnotation), hash}};
  return cron_job;
}

ReconcileResult reconcile_schedule(const ReconcileContext& ctx, const std::string& ns,
                                   const std::string& name) {
  auto object = ctx.cache.get(kDbtSchedules, ns, name);
  if (!object) return {};
  auto decoded = decode_or_log(api::dbt_schedule_from_json, *object, "DbtSchedule", ns, name);
  if (!decoded) return {};
  api::DbtSchedule& schedule = *decoded;
  auto now = ctx.clock.now_seconds();
  auto generation = schedule.metadata.generation;
  api::DbtScheduleStatus status = schedule.status;
  status.observed_generation = generation;
  summarise_runs(status, runs_of(ctx, schedule));

  auto fail = [&](std::string_view reason, const std::string& message) {
    bool changed = api::set_condition(
        status.conditions, ready(api::ConditionStatus::False, reason, message, generation), now);
    status.next_schedule_time.reset();
    if (write_status(ctx, schedule, status) && changed) {
      ctx.events.record(api::kDbtScheduleKind, schedule.metadata, "Warning", reason, message);
    }
    return ReconcileResult{};
  };

  auto decision = check_start(ctx.cache, schedule);
  if (const auto* block = std::get_if<StartBlock>(&decision)) {
    return fail(block->reason, block->message);
  }
  const auto& [project, target] = std::get<StartPlan>(decision);

  auto desired = cron_job_with_hash(build_cron_job(schedule, project, target, ctx.config));
  auto cron_name = desired["metadata"]["name"].get<std::string>();
  auto cached = ctx.cache.get(kube::resources::kCronJobs, ns, cron_name);
  auto hash_of = [](const Json& o) {
    return o["metadata"]
        .value("annotations", Json::object())
        .value(std::string(kSpecHashAnnotation), "");
  };
  if (!cached || hash_of(*cached) != hash_of(desired)) {
    kube::ApplyOptions opts{std::string(kFieldManager), true};
    ctx.client.apply(kube::resources::kCronJobs, ns, desired, opts);
    log::info(cached ? "updated the CronJob" : "created the CronJob",
              {{"namespace", ns}, {"name", name}, {"cronJob", cron_name}});
  }

  status.target = target;
  status.cron_job_name = cron_name;
  if (cached) {
    auto last = cached->value("status", Json::object()).value("lastScheduleTime", "");
    if (auto t = api::parse_timestamp(last)) status.last_schedule_time = *t;
  }
  ReconcileResult result;
  status.next_schedule_time.reset();
  if (!schedule.spec.suspend) {
    auto cron = api::CronSchedule::parse(schedule.spec.schedule, schedule.spec.time_zone);
    if (auto next = cron.next(now)) {
      status.next_schedule_time = *next;
      result.requeue_after = std::chrono::duration_cast<std::chrono::milliseconds>(
          *next - ctx.clock.now() + std::chrono::seconds(1));
    }
  }
  bool changed = api::set_condition(
      status.conditions,
      ready(api::ConditionStatus::True, schedule_reason::kReady,
            schedule.spec.suspend ? "CronJob " + cron_name + " is applied and suspended."
                                  : "CronJob " + cron_name + " is applied.",
            generation),
      now);
  if (write_status(ctx, schedule, status) && changed) {
    ctx.events.record(api::kDbtScheduleKind, schedule.metadata, "Normal", schedule_reason::kReady,
                      "CronJob " + cron_name + " is applied.");
  }
  return result;
}

}  // namespace kubedbt::op
