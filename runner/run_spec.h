// The secret-free description of one run, written by the operator (or built by local mode).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runner/target_spec.h"

namespace kubedbt::runner {

// Where the dbt project comes from: a git repository at a ref, or a folder baked into the image.
struct SourceSpec {
  struct Git {
    std::string url;
    std::string ref = "HEAD";  // branch, tag or full commit SHA
    std::string path;          // the dbt project's folder inside the repository
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

// The DbtRun this run reports to; absent in local mode.
struct RunRef {
  std::string namespace_name;
  std::string name;
  std::string job_name;            // the Job running this pod
  bool create_if_missing = false;  // a CronJob's run: create the DbtRun, owned by the Job
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
  std::string selector;
  nlohmann::json vars = nlohmann::json::object();
  bool full_refresh = false;
  std::optional<std::chrono::seconds> timeout;
  std::chrono::seconds cancel_grace{10};  // SIGINT this long before the timeout, SIGKILL after it
  RetrySpec retries;
  std::chrono::seconds lock_wait{600};
};

// Parses run spec JSON text. Throws SpecError naming the field ("spec.target.port: ...").
RunSpec parse_run_spec(const std::string& text);
RunSpec parse_run_spec(const nlohmann::json& document);

// The dbt commands the runner accepts, each with its words: {"source", "freshness"}.
std::vector<std::string> command_words(const std::string& command);

}  // namespace kubedbt::runner
