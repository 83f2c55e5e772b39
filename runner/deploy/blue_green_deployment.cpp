// Blue-green as a pipeline step: two parses and a plan before the build, one swap after it.
#include "runner/deploy/blue_green_deployment.h"

#include <fstream>
#include <pqxx/pqxx>

#include "common/log.h"
#include "runner/dbt/profiles.h"
#include "runner/deploy/schema_swap.h"
#include "runner/postgres/connection_string.h"
#include "runner/postgres/target_lock.h"
#include "runner/state/state_store.h"
#include "runner/status/run_message.h"

namespace kubedbt::runner {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

SwapSettings swap_settings(const TargetSpec& production) {
  SwapSettings s;
  s.lock_timeout = kSwapLockTimeout;
  s.target_key = production.dbname + "." + production.schema;
  return s;
}

// The runner's own connection for the swap, named so pg_stat_activity shows who swaps.
std::unique_ptr<pqxx::connection> connect(const TargetSpec& target, const std::string& password) {
  try {
    return std::make_unique<pqxx::connection>(
        connection_string(target, password, "kubedbt-runner blue-green"));
  } catch (const std::exception& e) {
    std::string reason = e.what();
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    throw DeploymentError("cannot connect to database " + target.dbname + " at " + target.host +
                          ":" + std::to_string(target.port) + " as " + target.user +
                          " for the blue-green swap: " + reason);
  }
}

// The production manifest kept by prepare(), relative to dbt's target path.
constexpr const char* kProductionParseDir = "kubedbt-production";

}  // namespace

BlueGreenDeployment::BlueGreenDeployment(const RunSpec& spec, TargetSpec target, std::string dbt,
                                         Workspace workspace, std::string password,
                                         DbtInvocation run_dbt)
    : spec_(spec),
      production_(std::move(target)),
      staging_(production_),
      dbt_(std::move(dbt)),
      workspace_(std::move(workspace)),
      password_(std::move(password)),
      run_dbt_(std::move(run_dbt)) {}

nlohmann::json BlueGreenDeployment::parse_manifest(const std::filesystem::path& profiles_dir,
                                                   const std::filesystem::path& target_path,
                                                   const char* which) {
  std::vector<std::string> argv{dbt_,
                                "--log-format",
                                "json",
                                "--no-use-colors",
                                "parse",
                                "--project-dir",
                                workspace_.project_dir.string(),
                                "--profiles-dir",
                                profiles_dir.string(),
                                "--profile",
                                spec_.profile,
                                "--target",
                                production_.name,
                                "--target-path",
                                target_path.string()};
  if (!spec_.vars.empty()) argv.insert(argv.end(), {"--vars", spec_.vars.dump()});
  auto manifest_file = target_path / "manifest.json";
  std::error_code ec;
  std::filesystem::remove(manifest_file, ec);
  auto outcome = run_dbt_(argv, std::string("parse (") + which + ")");
  if (outcome.exit_code != 0) {
    throw DeploymentError(std::string("dbt parse for the ") + which + " schemas failed: " +
                          (outcome.fatal_error.empty()
                               ? "exit code " + std::to_string(outcome.exit_code)
                               : one_line(outcome.fatal_error)) +
                          "; production is untouched");
  }
  std::ifstream in(manifest_file);
  if (!in) {
    throw DeploymentError(std::string("dbt parse for the ") + which + " schemas wrote no " +
                          manifest_file.string());
  }
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw DeploymentError("cannot read " + manifest_file.string() + ": " + e.what());
  }
}

void BlueGreenDeployment::prepare() {
  try {
    staging_.schema = staging_target_schema(production_.schema);
    auto production_profiles = workspace_.profiles_dir / "production";
    write_profiles(production_profiles, spec_.profile, production_);
    auto production = parse_manifest(production_profiles,
                                     workspace_.target_path / kProductionParseDir, "production");
    write_profiles(workspace_.profiles_dir, spec_.profile, staging_);
    auto staging = parse_manifest(workspace_.profiles_dir, workspace_.target_path, "staging");
    plan_ = plan_blue_green(production, staging, production_.dbname);
  } catch (const PlanError& e) {
    throw DeploymentError(std::string("cannot deploy blue-green: ") + e.what() +
                          "; production is untouched");
  }
  if (plan_.pairs.empty()) {
    throw DeploymentError(
        "cannot deploy blue-green: the project writes no relation (no model, seed or snapshot)");
  }
  log::info("blue-green plan",
            {{"production", plan_.production_schemas()}, {"staging", plan_.staging_schemas()}});
  auto connection = connect(production_, password_);
  try {
    drop_staging_schemas(*connection, plan_.staging_schemas());
  } catch (const SwapError& e) {
    throw DeploymentError(std::string("cannot clear leftover staging schemas: ") + e.what() +
                          "; production is untouched");
  }
  std::vector<StagedRelation> with_history;
  for (const auto& r : plan_.relations) {
    if (r.carries_history(spec_.full_refresh)) with_history.push_back(r);
  }
  if (with_history.empty()) return;
  try {
    auto copied = carry_over_history(*connection, with_history, swap_settings(production_));
    log::info("history copied into staging", {{"nodes", copied}});
  } catch (const SwapError& e) {
    throw DeploymentError(std::string("cannot copy snapshots and incremental models into "
                                      "staging: ") +
                          e.what() + "; production is untouched");
  }
}

DeploymentOutcome BlueGreenDeployment::promote() {
  auto settings = swap_settings(production_);
  auto connection = connect(production_, password_);
  DeploymentOutcome outcome;
  try {
    check_staged_relations(*connection, plan_.relations);
    auto promoted = promote_staging(*connection, plan_.pairs, settings);
    outcome.swapped = true;
    outcome.schemas = promoted.swapped;
    outcome.previous = promoted.previous;
  } catch (const SwapError& e) {
    throw DeploymentError(std::string(e.what()) + ". " + failed_build_note());
  }
  log::info("blue-green swap committed",
            {{"schemas", outcome.schemas}, {"previous", outcome.previous}});
  if (!spec_.deployment.keep_previous && !outcome.previous.empty()) {
    try {
      drop_previous(*connection, outcome.previous, settings);
      outcome.previous.clear();
    } catch (const SwapError& e) {
      // The swap itself is done; a backup left behind costs only space.
      outcome.previous_kept_because = e.what();
      log::warn("cannot drop the previous production schemas", {{"error", e.what()}});
    }
  }
  // The production parse described exactly these schemas: same source, vars and target, with the
  // production schema; it replaces the staging build's manifest for the state store.
  write_profiles(workspace_.profiles_dir, spec_.profile, production_);
  std::error_code ec;
  std::filesystem::copy_file(workspace_.target_path / kProductionParseDir / "manifest.json",
                             workspace_.target_path / "manifest.json",
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) {
    log::warn("cannot put the production manifest in place",
              {{"error", ec.message()}, {"target", workspace_.target_path.string()}});
  }
  return outcome;
}

std::string BlueGreenDeployment::failed_build_note() const {
  return "Production is untouched; the staging build is left for inspection in schema(s) " +
         joined(plan_.staging_schemas()) + ".";
}

std::string deployment_message(const DeploymentOutcome& outcome) {
  std::string text = "Swapped staging into production: " + joined(outcome.schemas);
  if (!outcome.previous.empty()) {
    text += " (previous kept as " + joined(outcome.previous) + "; `kubedbt-runner rollback` " +
            "swaps back)";
  }
  if (!outcome.previous_kept_because.empty()) {
    text += ". keepPrevious is false, but the previous schemas were kept: " +
            outcome.previous_kept_because;
  }
  return text + ".";
}

Rollback roll_back(const RunSpec& spec, const TargetSpec& target, const std::string& password) {
  std::unique_ptr<TargetLock> lock;
  try {
    lock = TargetLock::acquire(target, password, spec.lock_wait, [] { return false; });
  } catch (const LockError& e) {
    throw DeploymentError(std::string("cannot roll back: ") + e.what());
  }
  try {
    StateStore(target, password, spec.state.schema).migrate();
  } catch (const std::exception& e) {
    throw DeploymentError(std::string("cannot roll back: the state store: ") + e.what());
  }
  auto connection = connect(target, password);
  try {
    Rollback rollback;
    rollback.schemas =
        swap_with_previous(*connection, swap_settings(target), [&](pqxx::transaction_base& tx) {
          rollback.manifest_restored =
              swap_production_manifests(tx, spec.state.schema, spec.project, target.name);
        });
    std::vector<std::string> names;
    for (const auto& pair : rollback.schemas) names.push_back(pair.production);
    log::info("rolled back", {{"schemas", names},
                              {"target", target.name},
                              {"productionManifest", rollback.manifest_restored}});
    return rollback;
  } catch (const SwapError& e) {
    throw DeploymentError(std::string("cannot roll back: ") + e.what());
  }
}

}  // namespace kubedbt::runner
