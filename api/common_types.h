// Pieces shared by the three kinds: references, env vars, what dbt runs, retries, deployment,
// run phase and result summary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/json_codec.h"

namespace kubedbt::api {

// A Secret key in the resource's own namespace.
struct SecretKeyRef {
  std::string name;
  std::string key;
  bool operator==(const SecretKeyRef&) const = default;
};
void decode(const Json& j, const std::string& path, SecretKeyRef& out);
Json encode(const SecretKeyRef& v);

// Another object in the same namespace, by name.
struct LocalObjectRef {
  std::string name;
  bool operator==(const LocalObjectRef&) const = default;
};
void decode(const Json& j, const std::string& path, LocalObjectRef& out);
Json encode(const LocalObjectRef& v);

// A container environment variable; valueFrom is the core/v1 EnvVarSource, passed through.
struct EnvVar {
  std::string name;
  std::optional<std::string> value;
  Json value_from;  // null when unset
  bool operator==(const EnvVar&) const = default;
};
void decode(const Json& j, const std::string& path, EnvVar& out);
Json encode(const EnvVar& v);

// The dbt commands a run may execute, in the order given.
inline const std::vector<std::string>& allowed_commands() {
  static const std::vector<std::string> commands = {
      "build", "run", "test", "seed", "snapshot", "source freshness", "docs generate", "compile"};
  return commands;
}

// What dbt runs and on which nodes; shared by DbtSchedule.spec and DbtRun.spec (inline).
struct DbtInvocation {
  std::vector<std::string> commands = {"build"};
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  std::optional<std::string> selector;
  Json vars;  // free-form object handed to --vars; null when unset
  bool full_refresh = false;
  std::optional<std::int32_t> threads;
  bool generate_docs = false;
  bool operator==(const DbtInvocation&) const = default;
};
// Reads / writes the invocation fields of a spec object (they sit beside the spec's own fields).
void decode_invocation(const Json& spec, const std::string& path, DbtInvocation& out);
void encode_invocation(Json& spec, const DbtInvocation& v);

enum class RetryStrategy { FromFailure, FromStart };
template <>
struct EnumNames<RetryStrategy> {
  static constexpr std::array<std::pair<RetryStrategy, std::string_view>, 2> entries{{
      {RetryStrategy::FromFailure, "FromFailure"},
      {RetryStrategy::FromStart, "FromStart"},
  }};
};

// How a failed run is retried: `dbt retry` from the failed nodes, or the whole run again.
struct Retries {
  std::int32_t limit = 0;
  RetryStrategy strategy = RetryStrategy::FromFailure;
  bool on_test_failure = false;
  bool operator==(const Retries&) const = default;
};
void decode(const Json& j, const std::string& path, Retries& out);
Json encode(const Retries& v);

enum class DeploymentStrategy { Direct, BlueGreen };
template <>
struct EnumNames<DeploymentStrategy> {
  static constexpr std::array<std::pair<DeploymentStrategy, std::string_view>, 2> entries{{
      {DeploymentStrategy::Direct, "Direct"},
      {DeploymentStrategy::BlueGreen, "BlueGreen"},
  }};
};

// Whether models build in place or in staging schemas swapped in atomically after tests pass.
struct Deployment {
  DeploymentStrategy strategy = DeploymentStrategy::Direct;
  bool keep_previous = true;
  bool operator==(const Deployment&) const = default;
};
void decode(const Json& j, const std::string& path, Deployment& out);
Json encode(const Deployment& v);

enum class RunPhase { Pending, Running, Succeeded, Failed, TimedOut, Cancelled };
template <>
struct EnumNames<RunPhase> {
  static constexpr std::array<std::pair<RunPhase, std::string_view>, 6> entries{{
      {RunPhase::Pending, "Pending"},
      {RunPhase::Running, "Running"},
      {RunPhase::Succeeded, "Succeeded"},
      {RunPhase::Failed, "Failed"},
      {RunPhase::TimedOut, "TimedOut"},
      {RunPhase::Cancelled, "Cancelled"},
  }};
};
bool is_finished(RunPhase phase);

struct ModelCounts {
  std::int32_t success = 0;
  std::int32_t error = 0;
  std::int32_t skipped = 0;
  bool operator==(const ModelCounts&) const = default;
};
struct TestCounts {
  std::int32_t pass = 0;
  std::int32_t fail = 0;
  std::int32_t warn = 0;
  std::int32_t error = 0;
  bool operator==(const TestCounts&) const = default;
};
struct FreshnessCounts {
  std::int32_t pass = 0;
  std::int32_t warn = 0;
  std::int32_t error = 0;
  bool operator==(const FreshnessCounts&) const = default;
};
// What a run did, counted from dbt's results.
struct RunSummary {
  ModelCounts models;
  TestCounts tests;
  FreshnessCounts freshness;
  std::int64_t rows_affected = 0;
  bool operator==(const RunSummary&) const = default;
};
// The worst source freshness of a run: Error when any source is past error_after (or could not
// be checked), Warn when any is past warn_after, else Pass.
enum class FreshnessState { Pass, Warn, Error };
template <>
struct EnumNames<FreshnessState> {
  static constexpr std::array<std::pair<FreshnessState, std::string_view>, 3> entries{{
      {FreshnessState::Pass, "Pass"},
      {FreshnessState::Warn, "Warn"},
      {FreshnessState::Error, "Error"},
  }};
};
// The state of `counts`, or std::nullopt when the run checked no source.
std::optional<FreshnessState> freshness_state(const FreshnessCounts& counts);

void decode(const Json& j, const std::string& path, ModelCounts& out);
void decode(const Json& j, const std::string& path, TestCounts& out);
void decode(const Json& j, const std::string& path, FreshnessCounts& out);
void decode(const Json& j, const std::string& path, RunSummary& out);
Json encode(const ModelCounts& v);
Json encode(const TestCounts& v);
Json encode(const FreshnessCounts& v);
Json encode(const RunSummary& v);

}  // namespace kubedbt::api
