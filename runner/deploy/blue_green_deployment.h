// The blue-green step of a run (deployment.strategy BlueGreen, PostgreSQL): parse the project for
// production and for staging, build into staging, then swap staging into production at once.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "runner/dbt/retry_policy.h"
#include "runner/deploy/blue_green_plan.h"
#include "runner/os/workspace.h"
#include "runner/spec/run_spec.h"
#include "runner/spec/step_error.h"
#include "runner/spec/target_spec.h"
#include "runner/status/run_status.h"

namespace kubedbt::runner {

// A blue-green step that could not go on; the message says what production looks like.
class DeploymentError : public StepError {
 public:
  using StepError::StepError;
};

// Runs one dbt invocation for the step (the pipeline's, so it is logged and cancellable).
using DbtInvocation =
    std::function<AttemptOutcome(const std::vector<std::string>& argv, const std::string& command)>;

// Longest wait for any one lock in a swap or rollback transaction.
inline constexpr std::chrono::seconds kSwapLockTimeout{10};

class BlueGreenDeployment {
 public:
  // `target` is the production target the run builds (the run spec's target with its schema).
  BlueGreenDeployment(const RunSpec& spec, TargetSpec target, std::string dbt, Workspace workspace,
                      std::string password, DbtInvocation run_dbt);

  // Before the build: `dbt parse` for production (into target/kubedbt-production) and for the
  // staging target schema, pairs the schemas, drops leftover staging schemas of an earlier run and
  // leaves profiles.yml pointing at staging. Throws DeploymentError; production is untouched.
  void prepare();

  // After every command succeeded: swaps in one transaction (dropping the backups after commit
  // when keepPrevious is false), then points profiles.yml and target/manifest.json at production,
  // so the state store keeps a manifest of the production schemas. Throws DeploymentError.
  DeploymentOutcome promote();

  // For the message of a run whose build failed after prepare(): production is untouched and
  // where the staging build is left for inspection.
  std::string failed_build_note() const;

  const BlueGreenPlan& plan() const { return plan_; }

 private:
  nlohmann::json parse_manifest(const std::filesystem::path& profiles_dir,
                                const std::filesystem::path& target_path, const char* which);

  RunSpec spec_;
  TargetSpec production_;
  TargetSpec staging_;
  std::string dbt_;
  Workspace workspace_;
  std::string password_;
  DbtInvocation run_dbt_;
  BlueGreenPlan plan_;
};

// "Swapped staging into production: a, b (previous kept as a__kubedbt_previous, ...)."
std::string deployment_message(const DeploymentOutcome& outcome);

// What `kubedbt-runner rollback` did.
struct Rollback {
  std::vector<SchemaPair> schemas;  // production: the name now holding the former backup
  bool manifest_restored = false;   // the state store's production manifest rolled back too
};

// `kubedbt-runner rollback`: takes the target's lock (waiting up to spec.lock_wait) and, in one
// transaction, swaps each production schema of `target` with its backup and the state store's
// production manifest with the one the last swap replaced (so Slim CI defers to what production
// now holds). Throws DeploymentError.
Rollback roll_back(const RunSpec& spec, const TargetSpec& target, const std::string& password);

}  // namespace kubedbt::runner
