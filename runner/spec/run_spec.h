// The secret-free description of one run, written by the operator (or built by local mode).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/spec/target_spec.h"

namespace kubedbt::runner {

// Where the dbt project comes from: a git repository at a ref, or a folder baked into the image.
struct SourceSpec {
  struct Git {
    std::string url;
    std::string ref = "HEAD";  // branch, tag or full commit SHA
    std::string path;          // the dbt project's folder inside the repository
    // The longest the fetch (every git command of it) may take before the run fails.
    std::chrono::seconds timeout{300};
  };
  std::optional<Git> git;
  std::string baked_path;  // when git is absent
};

struct RetrySpec {
  enum class Strategy { FromFailure, FromStart };
  int limit = 0;  // retries after the first attempt
  Strategy strategy = Strategy::FromFailure;
  bool on_test_failure = false;
  std::chrono::seconds backoff{10};  // doubled after each retry, capped at five minutes
};

// Where kubedbt keeps artifacts, manifests, the partial-parse cache and run history: one schema per
// target in the target's own database, owned by that target's database user, so one target's
// credentials can never write another's state.
struct StateSpec {
  std::string base = "kubedbt";  // DbtProject spec.state.schema ("state.schema" in the run spec)
  std::string schema;            // this run's target's state schema: schema_of(target.name)
  // Database users of the project's other targets: a run grants them USAGE on its state schema
  // and SELECT on the manifest column of its production manifest (what a deferred run reads),
  // nothing else; they lose any other access to it.
  std::vector<std::string> manifest_readers;

  // The state schema of `target`: "<base>_<target>".
  std::string schema_of(const std::string& target) const { return base + "_" + target; }
};

// Slim CI: read the stored manifest of another target of the same project (same database) and run
// with --defer --state against it.
struct DeferSpec {
  std::string to;  // target name, e.g. "prod"
};

// Direct builds in place; BlueGreen builds into staging schemas and swaps them in atomically.
struct DeploymentSpec {
  enum class Strategy { Direct, BlueGreen };
  Strategy strategy = Strategy::Direct;
  bool keep_previous = true;  // keep the swapped-out production schemas as backups
};

// When a run is unusual compared with the history of its project and target.
struct AnomalySpec {
  double row_count_factor = 10;  // rows affected changed by more than this factor (or to zero)
  double duration_factor = 3;    // duration beyond this many times the median of recent runs
  int history_runs = 10;         // how many recent successful runs form the baseline
};

// One alert destination; secrets reach the runner only as the names of environment variables.
struct NotificationSpec {
  enum class Event { Failure, Success, TestFailure, FreshnessWarn, Anomaly };
  struct Slack {
    std::string url_env;  // holds the incoming-webhook URL
    std::string channel;  // optional override
  };
  struct Email {
    // <prefix>HOST, <prefix>PORT, <prefix>USERNAME, <prefix>PASSWORD, <prefix>FROM and optional
    // <prefix>TLS (starttls | tls | none) hold the SMTP Secret's keys.
    std::string smtp_env_prefix;
    std::vector<std::string> to;
  };
  struct Webhook {
    std::string url_env;
    std::string hmac_env;  // optional: HMAC-SHA256 key of the signature header
  };
  std::vector<Event> events{Event::Failure};
  std::optional<Slack> slack;
  std::optional<Email> email;
  std::optional<Webhook> webhook;
};

// The DbtRun this run reports to; absent in local mode.
struct RunRef {
  std::string namespace_name;
  std::string name;
  std::string job_name;            // the Job running this pod
  bool create_if_missing = false;  // a CronJob's run: create the DbtRun, owned by the Job
  // A user-created run's uid: a DbtRun of its name with another uid (deleted and created again)
  // is not this run.
  std::string uid;
};

struct RunSpec {
  std::optional<RunRef> run;
  std::string project;  // DbtProject name (informational, used in messages)
  std::string profile;  // profile name in dbt_project.yml
  SourceSpec source;
  TargetSpec target;
  std::vector<std::string> commands{"build"};  // each one dbt command: "build", "source freshness"
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  // The variables the DbtProject gives dbt (spec.env, the target's env): with the fixed
  // allow-list, all dbt sees (dbt_environment.h). Absent: no declaration, everything but KUBEDBT_*.
  std::optional<std::set<std::string>> dbt_env;
  std::string selector;
  nlohmann::json vars = nlohmann::json::object();
  bool full_refresh = false;
  std::optional<std::chrono::seconds> timeout;
  std::chrono::seconds cancel_grace{10};  // SIGINT this long before the timeout, SIGKILL after it
  RetrySpec retries;
  std::chrono::seconds lock_wait{600};
  // The run's own schema (DbtRun.spec.schema, e.g. one per pull request) instead of
  // target.schema; such a run never becomes the target's production manifest.
  std::optional<std::string> schema;
  bool keep_schema = false;  // drop-schema leaves the run's own schema in place
  StateSpec state;
  std::optional<DeferSpec> defer;
  DeploymentSpec deployment;
  AnomalySpec anomalies;
  std::vector<NotificationSpec> notifications;
};

// Parses run spec JSON text. Throws SpecError naming the field ("spec.target.port: ...").
RunSpec parse_run_spec(const std::string& text);
RunSpec parse_run_spec(const nlohmann::json& document);

// The dbt commands the runner accepts, each with its words: {"source", "freshness"}.
std::vector<std::string> command_words(const std::string& command);

// The target a run builds: spec.target with the run's own schema ("schema" in the run spec) in
// place of target.schema when one is given.
TargetSpec run_target(const RunSpec& spec);

}  // namespace kubedbt::runner
