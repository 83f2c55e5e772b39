// JSON of the shared pieces, with the same defaults as the CRD schemas.
#include "api/common_types.h"

namespace kubedbt::api {

void decode(const Json& j, const std::string& path, SecretKeyRef& out) {
  expect_object(j, path);
  out = SecretKeyRef{};
  decode_field(j, path, "name", out.name);
  decode_field(j, path, "key", out.key);
}
Json encode(const SecretKeyRef& v) { return Json{{"name", v.name}, {"key", v.key}}; }

void decode(const Json& j, const std::string& path, LocalObjectRef& out) {
  expect_object(j, path);
  out = LocalObjectRef{};
  decode_field(j, path, "name", out.name);
}
Json encode(const LocalObjectRef& v) { return Json{{"name", v.name}}; }

void decode(const Json& j, const std::string& path, EnvVar& out) {
  expect_object(j, path);
  out = EnvVar{};
  decode_field(j, path, "name", out.name);
  decode_field(j, path, "value", out.value);
  decode_field(j, path, "valueFrom", out.value_from);
}
Json encode(const EnvVar& v) {
  Json out{{"name", v.name}};
  encode_field(out, "value", v.value);
  encode_field(out, "valueFrom", v.value_from);
  return out;
}

void decode_invocation(const Json& spec, const std::string& path, DbtInvocation& out) {
  out = DbtInvocation{};
  decode_field(spec, path, "commands", out.commands);
  decode_field(spec, path, "select", out.select);
  decode_field(spec, path, "exclude", out.exclude);
  decode_field(spec, path, "selector", out.selector);
  decode_field(spec, path, "vars", out.vars);
  decode_field(spec, path, "fullRefresh", out.full_refresh);
  decode_field(spec, path, "threads", out.threads);
  decode_field(spec, path, "generateDocs", out.generate_docs);
}

void encode_invocation(Json& spec, const DbtInvocation& v) {
  spec["commands"] = encode(v.commands);
  encode_field(spec, "select", v.select);
  encode_field(spec, "exclude", v.exclude);
  encode_field(spec, "selector", v.selector);
  encode_field(spec, "vars", v.vars);
  spec["fullRefresh"] = v.full_refresh;
  encode_field(spec, "threads", v.threads);
  spec["generateDocs"] = v.generate_docs;
}

void decode(const Json& j, const std::string& path, Retries& out) {
  expect_object(j, path);
  out = Retries{};
  decode_field(j, path, "limit", out.limit);
  decode_field(j, path, "strategy", out.strategy);
  decode_field(j, path, "onTestFailure", out.on_test_failure);
}
Json encode(const Retries& v) {
  return Json{
      {"limit", v.limit}, {"strategy", encode(v.strategy)}, {"onTestFailure", v.on_test_failure}};
}

void decode(const Json& j, const std::string& path, Deployment& out) {
  expect_object(j, path);
  out = Deployment{};
  decode_field(j, path, "strategy", out.strategy);
  decode_field(j, path, "keepPrevious", out.keep_previous);
}
Json encode(const Deployment& v) {
  return Json{{"strategy", encode(v.strategy)}, {"keepPrevious", v.keep_previous}};
}

bool is_finished(RunPhase phase) {
  return phase == RunPhase::Succeeded || phase == RunPhase::Failed || phase == RunPhase::TimedOut ||
         phase == RunPhase::Cancelled;
}

std::optional<FreshnessState> freshness_state(const FreshnessCounts& counts) {
  if (counts.error > 0) return FreshnessState::Error;
  if (counts.warn > 0) return FreshnessState::Warn;
  if (counts.pass > 0) return FreshnessState::Pass;
  return std::nullopt;
}

void decode(const Json& j, const std::string& path, ModelCounts& out) {
  expect_object(j, path);
  out = ModelCounts{};
  decode_field(j, path, "success", out.success);
  decode_field(j, path, "error", out.error);
  decode_field(j, path, "skipped", out.skipped);
}
void decode(const Json& j, const std::string& path, TestCounts& out) {
  expect_object(j, path);
  out = TestCounts{};
  decode_field(j, path, "pass", out.pass);
  decode_field(j, path, "fail", out.fail);
  decode_field(j, path, "warn", out.warn);
  decode_field(j, path, "error", out.error);
}
void decode(const Json& j, const std::string& path, FreshnessCounts& out) {
  expect_object(j, path);
  out = FreshnessCounts{};
  decode_field(j, path, "pass", out.pass);
  decode_field(j, path, "warn", out.warn);
  decode_field(j, path, "error", out.error);
}
void decode(const Json& j, const std::string& path, RunSummary& out) {
  expect_object(j, path);
  out = RunSummary{};
  decode_field(j, path, "models", out.models);
  decode_field(j, path, "tests", out.tests);
  decode_field(j, path, "freshness", out.freshness);
  decode_field(j, path, "rowsAffected", out.rows_affected);
}
Json encode(const ModelCounts& v) {
  return Json{{"success", v.success}, {"error", v.error}, {"skipped", v.skipped}};
}
Json encode(const TestCounts& v) {
  return Json{{"pass", v.pass}, {"fail", v.fail}, {"warn", v.warn}, {"error", v.error}};
}
Json encode(const FreshnessCounts& v) {
  return Json{{"pass", v.pass}, {"warn", v.warn}, {"error", v.error}};
}
Json encode(const RunSummary& v) {
  return Json{{"models", encode(v.models)},
              {"tests", encode(v.tests)},
              {"freshness", encode(v.freshness)},
              {"rowsAffected", v.rows_affected}};
}

}  // namespace kubedbt::api
