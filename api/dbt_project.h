// DbtProject: where a dbt project's code is and how to reach each of its environments (targets).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/common_types.h"
#include "api/condition.h"
#include "api/object_meta.h"

namespace kubedbt::api {

inline constexpr std::string_view kDbtProjectKind = "DbtProject";
inline constexpr std::string_view kDbtProjectPlural = "dbtprojects";

// Project code cloned from git at a ref.
struct GitSource {
  std::string url;
  std::optional<std::string> ref;  // unset: the remote's default branch
  std::string path = ".";          // folder of dbt_project.yml inside the repository
  std::optional<LocalObjectRef> secret_ref;
  bool operator==(const GitSource&) const = default;
};

// Project code baked into the runner image.
struct ImageSource {
  std::string path = "/project";
  bool operator==(const ImageSource&) const = default;
};

// Exactly one of git / image is set (the CRD and validate() enforce it).
struct ProjectSource {
  std::optional<GitSource> git;
  std::optional<ImageSource> image;
  bool operator==(const ProjectSource&) const = default;
};

enum class TargetType { Postgres };
template <>
struct EnumNames<TargetType> {
  static constexpr std::array<std::pair<TargetType, std::string_view>, 1> entries{{
      {TargetType::Postgres, "postgres"},
  }};
};

enum class SslMode { Disable, Allow, Prefer, Require, VerifyCa, VerifyFull };
template <>
struct EnumNames<SslMode> {
  static constexpr std::array<std::pair<SslMode, std::string_view>, 6> entries{{
      {SslMode::Disable, "disable"},
      {SslMode::Allow, "allow"},
      {SslMode::Prefer, "prefer"},
      {SslMode::Require, "require"},
      {SslMode::VerifyCa, "verify-ca"},
      {SslMode::VerifyFull, "verify-full"},
  }};
};

// One dbt output (environment) of the profile.
struct Target {
  TargetType type = TargetType::Postgres;
  std::string host;
  std::int32_t port = 5432;
  std::string user;
  std::string database;
  std::string schema;
  std::int32_t threads = 4;
  SslMode sslmode = SslMode::Prefer;
  std::optional<SecretKeyRef> password_secret_ref;
  Json extra;  // more profile keys for this output, passed through; null when unset
  std::vector<EnvVar> env;
  bool is_protected = false;  // `protected` in JSON
  bool operator==(const Target&) const = default;
};

// Where artifacts, the production manifest and run history are stored.
struct StateStore {
  std::string schema = "kubedbt";
  bool operator==(const StateStore&) const = default;
};

// The rule for the schemas CI runs build in (DbtRun.spec.schema).
struct CiSettings {
  // Every run's own schema starts with this, so a CI schema can never be production's.
  std::string schema_prefix = "ci_";
  bool operator==(const CiSettings&) const = default;
};

// When a run is flagged as an anomaly against the history of its project and target.
struct AnomalyThresholds {
  double row_count_factor = 10;    // a node's rows changed by more than this factor, or to zero
  double duration_factor = 3;      // the run took more than this many times the median
  std::int32_t history_runs = 10;  // recent successful runs forming the baseline (3 to 1000)
  bool operator==(const AnomalyThresholds&) const = default;
};

enum class NotificationEvent { Failure, Success, TestFailure, FreshnessWarn, Anomaly };
template <>
struct EnumNames<NotificationEvent> {
  static constexpr std::array<std::pair<NotificationEvent, std::string_view>, 5> entries{{
      {NotificationEvent::Failure, "failure"},
      {NotificationEvent::Success, "success"},
      {NotificationEvent::TestFailure, "testFailure"},
      {NotificationEvent::FreshnessWarn, "freshnessWarn"},
      {NotificationEvent::Anomaly, "anomaly"},
  }};
};

struct SlackChannel {
  SecretKeyRef webhook_secret_ref;
  std::optional<std::string> channel;
  bool operator==(const SlackChannel&) const = default;
};
struct EmailChannel {
  LocalObjectRef smtp_secret_ref;
  std::vector<std::string> to;
  bool operator==(const EmailChannel&) const = default;
};
struct WebhookChannel {
  SecretKeyRef url_secret_ref;
  std::optional<SecretKeyRef> hmac_secret_ref;
  bool operator==(const WebhookChannel&) const = default;
};
// Where alerts go and for which events; exactly one channel is set.
struct Notification {
  // Named `events`, not `on`: YAML 1.1 (kubectl's parser) reads a bare `on:` key as true.
  std::vector<NotificationEvent> events = {NotificationEvent::Failure};
  std::optional<SlackChannel> slack;
  std::optional<EmailChannel> email;
  std::optional<WebhookChannel> webhook;
  bool operator==(const Notification&) const = default;
};

struct DbtProjectSpec {
  ProjectSource source;
  std::optional<std::string> image;
  std::optional<std::string> dbt_version;
  std::string profile = "kubedbt";
  std::map<std::string, Target> targets;
  std::optional<std::string> default_target;
  StateStore state;
  CiSettings ci;
  AnomalyThresholds anomalies;
  std::vector<Notification> notifications;
  // Pod knobs for every run of the project; core/v1 shapes are passed through.
  std::optional<std::string> service_account_name;
  Json resources;  // core/v1 ResourceRequirements; null when unset
  std::map<std::string, std::string> node_selector;
  Json tolerations;       // list of core/v1 Toleration; null when unset
  Json security_context;  // core/v1 PodSecurityContext; null when unset
  std::vector<EnvVar> env;
  bool operator==(const DbtProjectSpec&) const = default;

  // spec.defaultTarget, or the only target when there is exactly one; nullptr otherwise.
  const std::string* effective_default_target() const;
};

// A target as status reports it (never any secret).
struct TargetStatus {
  std::string name;
  bool is_protected = false;
  std::string database;
  std::string schema;
  bool operator==(const TargetStatus&) const = default;
};

// `targetNames` ("dev,prod", for the TARGETS column) is derived from `targets` when encoding.
struct DbtProjectStatus {
  std::vector<Condition> conditions;
  std::int64_t observed_generation = 0;
  std::vector<TargetStatus> targets;
  bool operator==(const DbtProjectStatus&) const = default;
};

struct DbtProject {
  ObjectMeta metadata;
  DbtProjectSpec spec;
  DbtProjectStatus status;
  bool operator==(const DbtProject&) const = default;
};

void decode(const Json& j, const std::string& path, GitSource& out);
void decode(const Json& j, const std::string& path, ImageSource& out);
void decode(const Json& j, const std::string& path, ProjectSource& out);
void decode(const Json& j, const std::string& path, Target& out);
void decode(const Json& j, const std::string& path, StateStore& out);
void decode(const Json& j, const std::string& path, AnomalyThresholds& out);
void decode(const Json& j, const std::string& path, SlackChannel& out);
void decode(const Json& j, const std::string& path, EmailChannel& out);
void decode(const Json& j, const std::string& path, WebhookChannel& out);
void decode(const Json& j, const std::string& path, Notification& out);
void decode(const Json& j, const std::string& path, DbtProjectSpec& out);
void decode(const Json& j, const std::string& path, TargetStatus& out);
void decode(const Json& j, const std::string& path, DbtProjectStatus& out);
void decode(const Json& j, const std::string& path, DbtProject& out);
Json encode(const GitSource& v);
Json encode(const ImageSource& v);
Json encode(const ProjectSource& v);
Json encode(const Target& v);
Json encode(const StateStore& v);
Json encode(const AnomalyThresholds& v);
Json encode(const SlackChannel& v);
Json encode(const EmailChannel& v);
Json encode(const WebhookChannel& v);
Json encode(const Notification& v);
Json encode(const DbtProjectSpec& v);
Json encode(const TargetStatus& v);
Json encode(const DbtProjectStatus& v);
Json encode(const DbtProject& v);

// Whole-object conversions; from_json throws DecodeError naming the bad field.
DbtProject dbt_project_from_json(const Json& j);
Json to_json(const DbtProject& project);

}  // namespace kubedbt::api
