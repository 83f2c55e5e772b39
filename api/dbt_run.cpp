// JSON of DbtRun, with the same defaults as crds/kubedbt.io_dbtruns.yaml.
#include "api/dbt_run.h"

namespace kubedbt::api {

void decode(const Json& j, const std::string& path, RunSource& out) {
  expect_object(j, path);
  out = RunSource{};
  decode_field(j, path, "ref", out.ref);
}
Json encode(const RunSource& v) {
  Json out = Json::object();
  encode_field(out, "ref", v.ref);
  return out;
}

void decode(const Json& j, const std::string& path, Defer& out) {
  expect_object(j, path);
  out = Defer{};
  decode_field(j, path, "to", out.to);
}
Json encode(const Defer& v) { return Json{{"to", v.to}}; }

void decode(const Json& j, const std::string& path, DbtRunSpec& out) {
  expect_object(j, path);
  out = DbtRunSpec{};
  decode_field(j, path, "projectRef", out.project_ref);
  decode_field(j, path, "target", out.target);
  decode_field(j, path, "scheduleRef", out.schedule_ref);
  decode_invocation(j, path, out.invocation);
  decode_field(j, path, "source", out.source);
  decode_field(j, path, "defer", out.defer);
  decode_field(j, path, "schema", out.schema);
  decode_field(j, path, "keepSchema", out.keep_schema);
  decode_field(j, path, "timeout", out.timeout);
  decode_field(j, path, "retries", out.retries);
  decode_field(j, path, "deployment", out.deployment);
}
Json encode(const DbtRunSpec& v) {
  Json out{{"projectRef", encode(v.project_ref)},
           {"retries", encode(v.retries)},
           {"deployment", encode(v.deployment)}};
  encode_field(out, "target", v.target);
  encode_field(out, "scheduleRef", v.schedule_ref);
  encode_invocation(out, v.invocation);
  encode_field(out, "source", v.source);
  encode_field(out, "defer", v.defer);
  encode_field(out, "schema", v.schema);
  out["keepSchema"] = v.keep_schema;
  encode_field(out, "timeout", v.timeout);
  return out;
}

void decode(const Json& j, const std::string& path, Progress& out) {
  expect_object(j, path);
  out = Progress{};
  decode_field(j, path, "done", out.done);
  decode_field(j, path, "total", out.total);
  decode_field(j, path, "current", out.current);
}
Json encode(const Progress& v) {
  Json out{{"done", v.done},
           {"total", v.total},
           {"text", std::to_string(v.done) + "/" + std::to_string(v.total)}};
  encode_field(out, "current", v.current);
  return out;
}

void decode(const Json& j, const std::string& path, NodeFailure& out) {
  expect_object(j, path);
  out = NodeFailure{};
  decode_field(j, path, "node", out.node);
  decode_field(j, path, "message", out.message);
}
Json encode(const NodeFailure& v) { return Json{{"node", v.node}, {"message", v.message}}; }

void decode(const Json& j, const std::string& path, NodeTiming& out) {
  expect_object(j, path);
  out = NodeTiming{};
  decode_field(j, path, "node", out.node);
  decode_field(j, path, "seconds", out.seconds);
}
Json encode(const NodeTiming& v) { return Json{{"node", v.node}, {"seconds", v.seconds}}; }

void decode(const Json& j, const std::string& path, ArtifactLocation& out) {
  expect_object(j, path);
  out = ArtifactLocation{};
  decode_field(j, path, "database", out.database);
  decode_field(j, path, "schema", out.schema);
  decode_field(j, path, "invocationId", out.invocation_id);
}
Json encode(const ArtifactLocation& v) {
  return Json{{"database", v.database}, {"schema", v.schema}, {"invocationId", v.invocation_id}};
}

void decode(const Json& j, const std::string& path, RunAnomaly& out) {
  expect_object(j, path);
  out = RunAnomaly{};
  decode_field(j, path, "kind", out.kind);
  decode_field(j, path, "node", out.node);
  decode_field(j, path, "message", out.message);
}
Json encode(const RunAnomaly& v) {
  Json out{{"kind", encode(v.kind)}, {"message", v.message}};
  encode_field(out, "node", v.node);
  return out;
}

void decode(const Json& j, const std::string& path, DeferralStatus& out) {
  expect_object(j, path);
  out = DeferralStatus{};
  decode_field(j, path, "to", out.to);
  decode_field(j, path, "manifestFound", out.manifest_found);
}
Json encode(const DeferralStatus& v) {
  return Json{{"to", v.to}, {"manifestFound", v.manifest_found}};
}

void decode(const Json& j, const std::string& path, DeploymentStatus& out) {
  expect_object(j, path);
  out = DeploymentStatus{};
  decode_field(j, path, "swapped", out.swapped);
  decode_field(j, path, "schemas", out.schemas);
  decode_field(j, path, "previous", out.previous);
}
Json encode(const DeploymentStatus& v) {
  Json out{{"swapped", v.swapped}};
  encode_field(out, "schemas", v.schemas);
  encode_field(out, "previous", v.previous);
  return out;
}

void decode(const Json& j, const std::string& path, NotificationDelivery& out) {
  expect_object(j, path);
  out = NotificationDelivery{};
  decode_field(j, path, "index", out.index);
  decode_field(j, path, "kind", out.kind);
  decode_field(j, path, "events", out.events);
  decode_field(j, path, "delivered", out.delivered);
  decode_field(j, path, "attempts", out.attempts);
  decode_field(j, path, "message", out.message);
}
Json encode(const NotificationDelivery& v) {
  Json out{
      {"index", v.index}, {"kind", v.kind}, {"delivered", v.delivered}, {"attempts", v.attempts}};
  encode_field(out, "events", v.events);
  encode_field(out, "message", v.message);
  return out;
}

std::optional<FreshnessState> DbtRunStatus::freshness() const {
  if (!summary) return std::nullopt;
  return freshness_state(summary->freshness);
}

void decode(const Json& j, const std::string& path, DbtRunStatus& out) {
  expect_object(j, path);
  out = DbtRunStatus{};
  decode_field(j, path, "phase", out.phase);
  decode_field(j, path, "conditions", out.conditions);
  decode_field(j, path, "observedGeneration", out.observed_generation);
  decode_field(j, path, "target", out.target);
  decode_field(j, path, "jobName", out.job_name);
  decode_field(j, path, "startTime", out.start_time);
  decode_field(j, path, "completionTime", out.completion_time);
  decode_field(j, path, "duration", out.duration);
  decode_field(j, path, "attempts", out.attempts);
  decode_field(j, path, "progress", out.progress);
  decode_field(j, path, "summary", out.summary);
  decode_field(j, path, "failures", out.failures);
  decode_field(j, path, "slowest", out.slowest);
  decode_field(j, path, "commitSha", out.commit_sha);
  decode_field(j, path, "dbtVersion", out.dbt_version);
  decode_field(j, path, "artifacts", out.artifacts);
  decode_field(j, path, "message", out.message);
  decode_field(j, path, "anomalies", out.anomalies);
  decode_field(j, path, "deferral", out.deferral);
  decode_field(j, path, "deployment", out.deployment);
  decode_field(j, path, "notifications", out.notifications);
}
Json encode(const DbtRunStatus& v) {
  Json out = Json::object();
  encode_field(out, "phase", v.phase);
  encode_field(out, "conditions", v.conditions);
  if (v.observed_generation != 0) out["observedGeneration"] = v.observed_generation;
  encode_field(out, "target", v.target);
  encode_field(out, "jobName", v.job_name);
  encode_field(out, "startTime", v.start_time);
  encode_field(out, "completionTime", v.completion_time);
  encode_field(out, "duration", v.duration);
  if (v.attempts != 0) out["attempts"] = v.attempts;
  encode_field(out, "progress", v.progress);
  encode_field(out, "summary", v.summary);
  encode_field(out, "failures", v.failures);
  encode_field(out, "slowest", v.slowest);
  encode_field(out, "commitSha", v.commit_sha);
  encode_field(out, "dbtVersion", v.dbt_version);
  encode_field(out, "artifacts", v.artifacts);
  encode_field(out, "message", v.message);
  encode_field(out, "anomalies", v.anomalies);
  encode_field(out, "deferral", v.deferral);
  encode_field(out, "deployment", v.deployment);
  encode_field(out, "notifications", v.notifications);
  encode_field(out, "freshness", v.freshness());
  return out;
}

void decode(const Json& j, const std::string& path, DbtRun& out) {
  expect_object(j, path);
  out = DbtRun{};
  decode_field(j, path, "metadata", out.metadata);
  decode_field(j, path, "spec", out.spec);
  decode_field(j, path, "status", out.status);
}
Json encode(const DbtRun& v) {
  Json out{{"apiVersion", std::string(kApiVersion)},
           {"kind", std::string(kDbtRunKind)},
           {"metadata", encode(v.metadata)},
           {"spec", encode(v.spec)}};
  encode_field(out, "status", encode(v.status));
  return out;
}

DbtRun dbt_run_from_json(const Json& j) {
  DbtRun out;
  decode(j, "", out);
  return out;
}
Json to_json(const DbtRun& run) { return encode(run); }

}  // namespace kubedbt::api
