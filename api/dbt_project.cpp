// JSON of DbtProject, with the same defaults as crds/kubedbt.io_dbtprojects.yaml.
#include "api/dbt_project.h"

namespace kubedbt::api {

const std::string* DbtProjectSpec::effective_default_target() const {
  if (default_target) return &*default_target;
  if (targets.size() == 1) return &targets.begin()->first;
  return nullptr;
}

void decode(const Json& j, const std::string& path, GitSource& out) {
  expect_object(j, path);
  out = GitSource{};
  decode_field(j, path, "url", out.url);
  decode_field(j, path, "ref", out.ref);
  decode_field(j, path, "path", out.path);
  decode_field(j, path, "secretRef", out.secret_ref);
}
Json encode(const GitSource& v) {
  Json out{{"url", v.url}, {"path", v.path}};
  encode_field(out, "ref", v.ref);
  encode_field(out, "secretRef", v.secret_ref);
  return out;
}

void decode(const Json& j, const std::string& path, ImageSource& out) {
  expect_object(j, path);
  out = ImageSource{};
  decode_field(j, path, "path", out.path);
}
Json encode(const ImageSource& v) { return Json{{"path", v.path}}; }

void decode(const Json& j, const std::string& path, ProjectSource& out) {
  expect_object(j, path);
  out = ProjectSource{};
  decode_field(j, path, "git", out.git);
  decode_field(j, path, "image", out.image);
}
Json encode(const ProjectSource& v) {
  Json out = Json::object();
  encode_field(out, "git", v.git);
  encode_field(out, "image", v.image);
  return out;
}

void decode(const Json& j, const std::string& path, Target& out) {
  expect_object(j, path);
  out = Target{};
  decode_field(j, path, "type", out.type);
  decode_field(j, path, "host", out.host);
  decode_field(j, path, "port", out.port);
  decode_field(j, path, "user", out.user);
  decode_field(j, path, "database", out.database);
  decode_field(j, path, "schema", out.schema);
  decode_field(j, path, "threads", out.threads);
  decode_field(j, path, "sslmode", out.sslmode);
  decode_field(j, path, "passwordSecretRef", out.password_secret_ref);
  decode_field(j, path, "extra", out.extra);
  decode_field(j, path, "env", out.env);
  decode_field(j, path, "protected", out.is_protected);
}
Json encode(const Target& v) {
  Json out{{"type", encode(v.type)},
           {"host", v.host},
           {"port", v.port},
           {"user", v.user},
           {"database", v.database},
           {"schema", v.schema},
           {"threads", v.threads},
           {"sslmode", encode(v.sslmode)},
           {"protected", v.is_protected}};
  encode_field(out, "passwordSecretRef", v.password_secret_ref);
  encode_field(out, "extra", v.extra);
  encode_field(out, "env", v.env);
  return out;
}

void decode(const Json& j, const std::string& path, StateStore& out) {
  expect_object(j, path);
  out = StateStore{};
  decode_field(j, path, "schema", out.schema);
}
Json encode(const StateStore& v) { return Json{{"schema", v.schema}}; }

void decode(const Json& j, const std::string& path, CiSettings& out) {
  expect_object(j, path);
  out = CiSettings{};
  decode_field(j, path, "schemaPrefix", out.schema_prefix);
}
Json encode(const CiSettings& v) { return Json{{"schemaPrefix", v.schema_prefix}}; }

void decode(const Json& j, const std::string& path, AnomalyThresholds& out) {
  expect_object(j, path);
  out = AnomalyThresholds{};
  decode_field(j, path, "rowCountFactor", out.row_count_factor);
  decode_field(j, path, "durationFactor", out.duration_factor);
  decode_field(j, path, "historyRuns", out.history_runs);
}
Json encode(const AnomalyThresholds& v) {
  return Json{{"rowCountFactor", v.row_count_factor},
              {"durationFactor", v.duration_factor},
              {"historyRuns", v.history_runs}};
}

void decode(const Json& j, const std::string& path, SlackChannel& out) {
  expect_object(j, path);
  out = SlackChannel{};
  decode_field(j, path, "webhookSecretRef", out.webhook_secret_ref);
  decode_field(j, path, "channel", out.channel);
}
Json encode(const SlackChannel& v) {
  Json out{{"webhookSecretRef", encode(v.webhook_secret_ref)}};
  encode_field(out, "channel", v.channel);
  return out;
}

void decode(const Json& j, const std::string& path, EmailChannel& out) {
  expect_object(j, path);
  out = EmailChannel{};
  decode_field(j, path, "smtpSecretRef", out.smtp_secret_ref);
  decode_field(j, path, "to", out.to);
}
Json encode(const EmailChannel& v) {
  return Json{{"smtpSecretRef", encode(v.smtp_secret_ref)}, {"to", encode(v.to)}};
}

void decode(const Json& j, const std::string& path, WebhookChannel& out) {
  expect_object(j, path);
  out = WebhookChannel{};
  decode_field(j, path, "urlSecretRef", out.url_secret_ref);
  decode_field(j, path, "hmacSecretRef", out.hmac_secret_ref);
}
Json encode(const WebhookChannel& v) {
  Json out{{"urlSecretRef", encode(v.url_secret_ref)}};
  encode_field(out, "hmacSecretRef", v.hmac_secret_ref);
  return out;
}

void decode(const Json& j, const std::string& path, Notification& out) {
  expect_object(j, path);
  out = Notification{};
  decode_field(j, path, "events", out.events);
  decode_field(j, path, "slack", out.slack);
  decode_field(j, path, "email", out.email);
  decode_field(j, path, "webhook", out.webhook);
}
Json encode(const Notification& v) {
  Json out{{"events", encode(v.events)}};
  encode_field(out, "slack", v.slack);
  encode_field(out, "email", v.email);
  encode_field(out, "webhook", v.webhook);
  return out;
}

void decode(const Json& j, const std::string& path, DbtProjectSpec& out) {
  expect_object(j, path);
  out = DbtProjectSpec{};
  decode_field(j, path, "source", out.source);
  decode_field(j, path, "image", out.image);
  decode_field(j, path, "dbtVersion", out.dbt_version);
  decode_field(j, path, "profile", out.profile);
  decode_field(j, path, "targets", out.targets);
  decode_field(j, path, "defaultTarget", out.default_target);
  decode_field(j, path, "state", out.state);
  decode_field(j, path, "ci", out.ci);
  decode_field(j, path, "anomalies", out.anomalies);
  decode_field(j, path, "notifications", out.notifications);
  decode_field(j, path, "serviceAccountName", out.service_account_name);
  decode_field(j, path, "resources", out.resources);
  decode_field(j, path, "nodeSelector", out.node_selector);
  decode_field(j, path, "tolerations", out.tolerations);
  decode_field(j, path, "securityContext", out.security_context);
  decode_field(j, path, "env", out.env);
}
Json encode(const DbtProjectSpec& v) {
  Json out{{"source", encode(v.source)},   {"profile", v.profile},
           {"targets", encode(v.targets)}, {"state", encode(v.state)},
           {"ci", encode(v.ci)},           {"anomalies", encode(v.anomalies)}};
  encode_field(out, "image", v.image);
  encode_field(out, "dbtVersion", v.dbt_version);
  encode_field(out, "defaultTarget", v.default_target);
  encode_field(out, "notifications", v.notifications);
  encode_field(out, "serviceAccountName", v.service_account_name);
  encode_field(out, "resources", v.resources);
  encode_field(out, "nodeSelector", v.node_selector);
  if (!v.tolerations.is_null()) out["tolerations"] = v.tolerations;
  encode_field(out, "securityContext", v.security_context);
  encode_field(out, "env", v.env);
  return out;
}

void decode(const Json& j, const std::string& path, TargetStatus& out) {
  expect_object(j, path);
  out = TargetStatus{};
  decode_field(j, path, "name", out.name);
  decode_field(j, path, "protected", out.is_protected);
  decode_field(j, path, "database", out.database);
  decode_field(j, path, "schema", out.schema);
}
Json encode(const TargetStatus& v) {
  return Json{{"name", v.name},
              {"protected", v.is_protected},
              {"database", v.database},
              {"schema", v.schema}};
}

void decode(const Json& j, const std::string& path, DbtProjectStatus& out) {
  expect_object(j, path);
  out = DbtProjectStatus{};
  decode_field(j, path, "conditions", out.conditions);
  decode_field(j, path, "observedGeneration", out.observed_generation);
  decode_field(j, path, "targets", out.targets);
}
Json encode(const DbtProjectStatus& v) {
  Json out = Json::object();
  encode_field(out, "conditions", v.conditions);
  if (v.observed_generation != 0) out["observedGeneration"] = v.observed_generation;
  encode_field(out, "targets", v.targets);
  if (!v.targets.empty()) {
    std::string names;
    for (const auto& t : v.targets) names += (names.empty() ? "" : ",") + t.name;
    out["targetNames"] = names;
  }
  return out;
}

void decode(const Json& j, const std::string& path, DbtProject& out) {
  expect_object(j, path);
  out = DbtProject{};
  decode_field(j, path, "metadata", out.metadata);
  decode_field(j, path, "spec", out.spec);
  decode_field(j, path, "status", out.status);
}
Json encode(const DbtProject& v) {
  Json out{{"apiVersion", std::string(kApiVersion)},
           {"kind", std::string(kDbtProjectKind)},
           {"metadata", encode(v.metadata)},
           {"spec", encode(v.spec)}};
  encode_field(out, "status", encode(v.status));
  return out;
}

DbtProject dbt_project_from_json(const Json& j) {
  DbtProject out;
  decode(j, "", out);
  return out;
}
Json to_json(const DbtProject& project) { return encode(project); }

}  // namespace kubedbt::api
