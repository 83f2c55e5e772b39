// JSON of DbtSchedule, with the same defaults as crds/kubedbt.io_dbtschedules.yaml.
#include "api/dbt_schedule.h"

namespace kubedbt::api {

void decode(const Json& j, const std::string& path, DbtScheduleSpec& out) {
  expect_object(j, path);
  out = DbtScheduleSpec{};
  decode_field(j, path, "projectRef", out.project_ref);
  decode_field(j, path, "target", out.target);
  decode_field(j, path, "schedule", out.schedule);
  decode_field(j, path, "timeZone", out.time_zone);
  decode_field(j, path, "suspend", out.suspend);
  decode_field(j, path, "concurrencyPolicy", out.concurrency_policy);
  decode_field(j, path, "startingDeadlineSeconds", out.starting_deadline_seconds);
  decode_field(j, path, "successfulRunsHistoryLimit", out.successful_runs_history_limit);
  decode_field(j, path, "failedRunsHistoryLimit", out.failed_runs_history_limit);
  decode_invocation(j, path, out.invocation);
  decode_field(j, path, "timeout", out.timeout);
  decode_field(j, path, "retries", out.retries);
  decode_field(j, path, "deployment", out.deployment);
}
Json encode(const DbtScheduleSpec& v) {
  Json out{{"projectRef", encode(v.project_ref)},
           {"schedule", v.schedule},
           {"timeZone", v.time_zone},
           {"suspend", v.suspend},
           {"concurrencyPolicy", encode(v.concurrency_policy)},
           {"successfulRunsHistoryLimit", v.successful_runs_history_limit},
           {"failedRunsHistoryLimit", v.failed_runs_history_limit},
           {"retries", encode(v.retries)},
           {"deployment", encode(v.deployment)}};
  encode_field(out, "target", v.target);
  encode_field(out, "startingDeadlineSeconds", v.starting_deadline_seconds);
  encode_invocation(out, v.invocation);
  encode_field(out, "timeout", v.timeout);
  return out;
}

void decode(const Json& j, const std::string& path, RunReference& out) {
  expect_object(j, path);
  out = RunReference{};
  decode_field(j, path, "name", out.name);
  decode_field(j, path, "phase", out.phase);
  decode_field(j, path, "startTime", out.start_time);
  decode_field(j, path, "completionTime", out.completion_time);
  decode_field(j, path, "duration", out.duration);
  decode_field(j, path, "summary", out.summary);
}
Json encode(const RunReference& v) {
  Json out{{"name", v.name}};
  encode_field(out, "phase", v.phase);
  encode_field(out, "startTime", v.start_time);
  encode_field(out, "completionTime", v.completion_time);
  encode_field(out, "duration", v.duration);
  encode_field(out, "summary", v.summary);
  return out;
}

void decode(const Json& j, const std::string& path, DbtScheduleStatus& out) {
  expect_object(j, path);
  out = DbtScheduleStatus{};
  decode_field(j, path, "conditions", out.conditions);
  decode_field(j, path, "observedGeneration", out.observed_generation);
  decode_field(j, path, "target", out.target);
  decode_field(j, path, "cronJobName", out.cron_job_name);
  decode_field(j, path, "lastScheduleTime", out.last_schedule_time);
  decode_field(j, path, "nextScheduleTime", out.next_schedule_time);
  decode_field(j, path, "lastRun", out.last_run);
  decode_field(j, path, "lastSuccessfulRun", out.last_successful_run);
  decode_field(j, path, "activeRuns", out.active_runs);
  decode_field(j, path, "recentRuns", out.recent_runs);
  decode_field(j, path, "freshness", out.freshness);
}
Json encode(const DbtScheduleStatus& v) {
  Json out = Json::object();
  encode_field(out, "conditions", v.conditions);
  if (v.observed_generation != 0) out["observedGeneration"] = v.observed_generation;
  encode_field(out, "target", v.target);
  encode_field(out, "cronJobName", v.cron_job_name);
  encode_field(out, "lastScheduleTime", v.last_schedule_time);
  encode_field(out, "nextScheduleTime", v.next_schedule_time);
  encode_field(out, "lastRun", v.last_run);
  encode_field(out, "lastSuccessfulRun", v.last_successful_run);
  encode_field(out, "activeRuns", v.active_runs);
  encode_field(out, "recentRuns", v.recent_runs);
  encode_field(out, "freshness", v.freshness);
  return out;
}

void decode(const Json& j, const std::string& path, DbtSchedule& out) {
  expect_object(j, path);
  out = DbtSchedule{};
  decode_field(j, path, "metadata", out.metadata);
  decode_field(j, path, "spec", out.spec);
  decode_field(j, path, "status", out.status);
}
Json encode(const DbtSchedule& v) {
  Json out{{"apiVersion", std::string(kApiVersion)},
           {"kind", std::string(kDbtScheduleKind)},
           {"metadata", encode(v.metadata)},
           {"spec", encode(v.spec)}};
  encode_field(out, "status", encode(v.status));
  return out;
}

DbtSchedule dbt_schedule_from_json(const Json& j) {
  DbtSchedule out;
  decode(j, "", out);
  return out;
}
Json to_json(const DbtSchedule& schedule) { return encode(schedule); }

}  // namespace kubedbt::api
