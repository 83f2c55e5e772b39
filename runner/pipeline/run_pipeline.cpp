// The run, step by step. Every failure before dbt runs is a Failed run with exit code 2 and the
// step's own message; dbt's failures keep dbt's exit code.
#include "runner/pipeline/run_pipeline.h"

#include <signal.h>

#include <thread>

#include "common/log.h"
#include "runner/dbt/dbt_command.h"
#include "runner/dbt/dbt_environment.h"
#include "runner/dbt/packages.h"
#include "runner/dbt/profiles.h"
#include "runner/dbt/retry_policy.h"
#include "runner/dbt/version.h"
#include "runner/deploy/blue_green_deployment.h"
#include "runner/os/read_file.h"
#include "runner/os/run_inputs.h"
#include "runner/os/secret_scrubber.h"
#include "runner/postgres/target_lock.h"
#include "runner/source/source_fetch.h"
#include "runner/spec/run_spec.h"
#include "runner/spec/step_error.h"
#include "runner/state/anomaly_detector.h"
#include "runner/state/partial_parse_cache.h"
#include "runner/state/slim_ci.h"
#include "runner/status/run_message.h"

namespace kubedbt::runner {
namespace {

std::string seconds_text(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

std::string path_variable(const Environment& env) {
  auto it = env.find("PATH");
  return it == env.end() ? "" : it->second;
}

// Runs one step of the run. Its own error (every step's derives from StepError) becomes the run's
// StepError, with the secrets in its message masked.
template <typename Step>
auto run_step(const std::function<std::string(const std::string&)>& scrub, Step&& step) {
  try {
    return step();
  } catch (const StepError& e) {
    throw StepError(scrub(e.what()));
  }
}

}  // namespace

RunPipeline::RunPipeline(RunSpec spec, PipelineOptions options, StatusReporter& reporter)
    : spec_(std::move(spec)),
      target_(run_target(spec_)),
      options_(std::move(options)),
      reporter_(reporter) {
  auto scrubber = std::make_shared<SecretScrubber>(
      SecretScrubber::from_environment(options_.env, {spec_.target.password_env}));
  scrubber_ = [scrubber](const std::string& s) { return scrubber->scrub(s); };
}

std::string RunPipeline::scrub(const std::string& text) const { return scrubber_(text); }

RunPipeline::Stop RunPipeline::stop_reason() const {
  if (lock_ && lock_->lost()) return Stop::LockLost;
  if (options_.cancelled && options_.cancelled()) return Stop::Signal;
  if (cancel_at_ && Clock::now() >= *cancel_at_) return Stop::Deadline;
  return Stop::None;
}

void RunPipeline::sleep_unless_stopped(std::chrono::seconds wait) {
  auto until = Clock::now() + wait;
  while (Clock::now() < until && !should_stop()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void RunPipeline::keep_artifacts(const std::string& label, const std::string& artifact) {
  std::error_code ec;
  std::filesystem::create_directories(options_.workspace.artifacts_dir, ec);
  auto to = options_.workspace.artifacts_dir / (label + "-" + artifact);
  std::filesystem::copy_file(options_.workspace.target_path / artifact, to,
                             std::filesystem::copy_options::overwrite_existing, ec);
  status_.artifacts = options_.workspace.artifacts_dir.string();
}

AttemptOutcome RunPipeline::attempt(const std::vector<std::string>& argv,
                                    const std::string& command, bool freshness) {
  const auto& ws = options_.workspace;
  // Remove the previous invocation's sources.json so a stale one is never read as this one's.
  std::error_code ec;
  if (freshness) std::filesystem::remove(ws.target_path / "sources.json", ec);
  DbtProcessOptions o;
  o.argv = argv;
  o.env = dbt_environment(options_.env, ws, spec_.dbt_env);
  o.working_dir = ws.project_dir;
  o.echo = options_.echo;
  o.scrub = scrubber_;
  o.should_stop = [this] {
    bool stop = should_stop();
    // What was running when the stop came; dbt's own interrupt events clear it afterwards.
    if (stop && !interrupted_node_) interrupted_node_ = status_.progress.current;
    return stop;
  };
  o.grace = spec_.cancel_grace;
  o.wake_fd = options_.cancel_fd;
  o.on_progress = [this](const Progress& p) {
    status_.progress = p;
    reporter_.progressed(status_);
  };
  ++invocations_;
  log::info("running dbt", {{"command", command}, {"invocation", invocations_}});
  auto result = run_dbt(o);

  AttemptOutcome outcome;
  outcome.exit_code = result.process.exit_code;
  outcome.fatal_error = scrub(result.events.fatal_error());
  outcome.freshness = freshness;
  if (!result.events.dbt_version().empty()) status_.dbt_version = result.events.dbt_version();
  const auto& invocation = result.events.invocation_id();
  if (command != "deps" && !invocation.empty()) invocation_id_ = invocation;
  auto results = freshness ? read_sources(ws.target_path / "sources.json")
                           : read_run_results(ws.target_path / "run_results.json");
  // Only this invocation's artifacts count; an older file left in target/ is not its result.
  if (results && (invocation.empty() || results->invocation_id == invocation)) {
    for (auto& node : results->nodes) node.message = scrub(node.message);
    outcome.results = std::move(results);
    book_.record(*outcome.results);
    status_.summary = book_.summary();
    char label[16];
    std::snprintf(label, sizeof label, "%02d-", invocations_);
    keep_artifacts(label + (freshness ? std::string("freshness") : argv.at(4)),
                   freshness ? "sources.json" : "run_results.json");
  } else if (!freshness && command != "deps" && !(argv.size() > 4 && argv[4] == "parse")) {
    results_complete_ = false;
  }
  auto progress = result.events.progress();
  if (progress.current.empty()) progress.current = status_.progress.current;
  status_.progress = progress;
  return outcome;
}

bool RunPipeline::finish_stopped(const std::string& command) {
  auto stop = stop_reason();
  std::string where = "dbt " + command;
  auto node = interrupted_node_.value_or(status_.progress.current);
  if (!node.empty()) where = display_name(node) + " (" + where + ")";
  if (stop == Stop::LockLost) {
    finish(Phase::Failed, 2,
           "Lost the lock of " + lock_target_description(target_) + " while running " + where +
               ": " + *lock_->lost() +
               ", so another run could build the same target; dbt was interrupted so the "
               "warehouse cancelled its queries.");
  } else if (stop == Stop::Deadline) {
    finish(Phase::TimedOut, 2,
           "Timed out after " + seconds_text(*spec_.timeout) + " while running " + where +
               "; dbt was interrupted so the warehouse cancelled its queries.");
  } else {
    auto sig = options_.cancel_signal ? options_.cancel_signal() : std::nullopt;
    finish(Phase::Cancelled, 2,
           std::string("Cancelled by ") +
               (sig ? std::string("SIG") + sigabbrev_np(*sig) : std::string("a signal")) +
               " while running " + where +
               "; dbt was interrupted so the warehouse cancelled its queries.");
  }
  return false;
}

bool RunPipeline::run_command(const std::string& command) {
  status_.command = command;
  bool freshness = command == "source freshness";
  auto argv = dbt_command_args(options_.dbt, spec_, command, options_.workspace, defer_state_);
  for (int retries = 0;; ++retries) {
    if (should_stop()) return finish_stopped(command);
    ++status_.attempts;
    auto outcome = attempt(argv, command, freshness);
    if (should_stop()) return finish_stopped(command);
    auto decision = decide_retry(outcome, spec_.retries, retries);
    if (decision.verdict == RetryDecision::Verdict::Succeeded) return true;
    if (decision.verdict == RetryDecision::Verdict::Final) {
      log::warn("dbt failed", nlohmann::json{{"command", command},
                                             {"exitCode", outcome.exit_code},
                                             {"reason", decision.reason}});
      int code = outcome.exit_code == 1 ? 1 : 2;
      finish(Phase::Failed, code, failure_message(command, outcome));
      return false;
    }
    auto wait = backoff_before(retries + 1, spec_.retries);
    log::warn("retrying dbt", nlohmann::json{{"command", command},
                                             {"reason", decision.reason},
                                             {"retry", retries + 1},
                                             {"limit", spec_.retries.limit},
                                             {"backoffSeconds", wait.count()},
                                             {"fromFailure", decision.use_dbt_retry}});
    sleep_unless_stopped(wait);
    argv = decision.use_dbt_retry
               ? dbt_retry_args(options_.dbt, spec_, options_.workspace, defer_state_)
               : dbt_command_args(options_.dbt, spec_, command, options_.workspace, defer_state_);
  }
}

void RunPipeline::finish(Phase phase, int exit_code, std::string message) {
  status_.phase = phase;
  status_.completion_time = std::chrono::system_clock::now();
  status_.summary = book_.summary();
  for (const auto& note : notes_) message += " " + note;
  notes_.clear();
  status_.message = one_line(scrub(message), 1000);
  status_.progress.current.clear();
  exit_code_ = exit_code;
  finished_ = true;
}

void RunPipeline::add_note(const std::string& sentence) {
  if (!finished_) {
    notes_.push_back(sentence);
    return;
  }
  status_.message = one_line(scrub(status_.message + " " + sentence), 1000);
}

void RunPipeline::register_schema_use() {
  if (!spec_.run || spec_.run->uid.empty()) return;  // no DbtRun, so no clean-up to hold off
  try {
    store_->register_schema_user({spec_.project, *spec_.schema, spec_.run->uid, spec_.run->name});
  } catch (const std::exception& e) {
    // Unrecorded, an older run's clean-up could drop this run's schema while it builds.
    throw StepError("cannot record the run as a user of schema " + *spec_.schema +
                    " in the state store " + store_->location() + ": " + scrub(e.what()));
  }
}

void RunPipeline::prepare_state(const std::string& password) {
  const auto& ws = options_.workspace;
  std::vector<int> applied;
  // store_ stays empty when the store is unusable, so record_state() leaves it alone.
  store_ = run_step(scrubber_, [&] {
    auto store = std::make_unique<StateStore>(target_, password, spec_.state.schema);
    applied = store->migrate(LegacyState{spec_.state.base, spec_.target.name});
    return store;
  });
  if (!applied.empty()) {
    log::info("state store migrated",
              {{"store", store_->location()}, {"versions", nlohmann::json(applied)}});
  }
  if (const auto& imported = store_->legacy_import()) {
    log::info("legacy state store", {{"store", store_->location()}, {"message", *imported}});
  }
  share_production_manifest();
  if (spec_.schema) {
    try {
      schemas_before_run_ = store_->existing_schemas();
    } catch (const std::exception& e) {
      // Without it the run could not tell its schemas from others', so clean-up could not either.
      throw StepError("cannot list the schemas of database " + store_->database() +
                      " before the run: " + scrub(e.what()));
    }
    register_schema_use();
  }
  // A manifest left by an earlier run in this target/ must never be stored as this run's.
  std::error_code ec;
  std::filesystem::remove(ws.target_path / "manifest.json", ec);

  if (!std::filesystem::exists(ws.target_path / kPartialParseFile)) {
    try {
      auto key = partial_parse_key(
          spec_, installed_dbt_version(options_.dbt, path_variable(options_.env)));
      if (auto cached = store_->partial_parse(key)) {
        restore_partial_parse(ws.target_path, *cached);
        log::info("partial parse restored",
                  {{"dbtVersion", key.dbt_version}, {"bytes", cached->size()}});
      }
    } catch (const std::exception& e) {
      // Only a slower parse is lost.
      log::warn("cannot restore the partial-parse cache", {{"error", scrub(e.what())}});
    }
  }

  if (!spec_.defer) return;
  const auto& to = spec_.defer->to;
  Deferral deferral{to, false};
  std::optional<std::string> manifest;
  try {
    manifest =
        store_->production_manifest(spec_.state.schema_of(to), spec_.project, to, spec_.state.base);
  } catch (const std::exception& e) {
    throw StepError("cannot read the production manifest of target " + to + ": " + scrub(e.what()));
  }
  if (manifest) {
    check_deferred_relations_readable(*manifest);
    defer_state_ = write_defer_state(ws.target_path / "kubedbt-defer-state", *manifest);
    deferral.manifest_found = true;
  } else {
    auto dropped = drop_state_selectors(spec_);
    add_note(no_production_manifest_message(spec_, dropped));
  }
  log::info("deferral", {{"to", deferral.to}, {"manifestFound", deferral.manifest_found}});
  status_.deferral = deferral;
}

void RunPipeline::share_production_manifest() {
  if (spec_.state.manifest_readers.empty()) return;
  try {
    for (const auto& problem : store_->share_production_manifest(spec_.state.manifest_readers)) {
      log::warn("cannot share the production manifest", {{"message", scrub(problem)}});
      add_note(scrub(problem));
    }
  } catch (const std::exception& e) {
    // Only deferred runs of other targets are affected; they say which grant they miss.
    log::warn("cannot share the production manifest", {{"error", scrub(e.what())}});
    add_note("Cannot let the project's other targets read this target's production manifest: " +
             scrub(e.what()));
  }
}

void RunPipeline::check_deferred_relations_readable(const std::string& manifest) {
  const auto& to = spec_.defer->to;
  std::vector<std::string> grants;
  try {
    std::vector<Relation> relations;
    for (auto& [unique_id, relation] : built_relations(nlohmann::json::parse(manifest))) {
      relations.push_back(std::move(relation));
    }
    grants = store_->missing_read_grants(relations);
  } catch (const std::exception& e) {
    throw StepError("cannot check that the user " + spec_.target.user +
                    " may read the relations of target " + to + ": " + scrub(e.what()));
  }
  if (grants.empty()) return;
  std::string list;
  for (const auto& g : grants) list += (list.empty() ? "" : "; ") + g;
  throw StepError("the user " + spec_.target.user + " may not read the relations of target " + to +
                  " that a run deferred to it reads; as their owner or a DBA: " + list);
}

void RunPipeline::record_state() {
  if (!store_) return;
  const auto& ws = options_.workspace;
  RunRecording recording;
  recording.history = run_record(spec_, status_, book_, invocation_id_);
  std::error_code ec;
  std::vector<std::filesystem::path> kept;
  if (std::filesystem::is_directory(ws.artifacts_dir, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(ws.artifacts_dir, ec)) {
      if (entry.is_regular_file()) kept.push_back(entry.path());
    }
  }
  std::sort(kept.begin(), kept.end());
  for (const auto& file : kept) {
    if (auto content = read_file(file)) {
      recording.artifacts.push_back({file.filename().string(), *content});
    }
  }
  int64_t run_id = 0;
  try {
    if (auto manifest = read_file(ws.target_path / "manifest.json")) {
      recording.artifacts.push_back({"manifest.json", *manifest});
      if (spec_.schema) {
        recording.built_schemas =
            schemas_created_by_run(nlohmann::json::parse(*manifest), recording.artifacts,
                                   schemas_before_run_, results_complete_ && !should_stop());
      } else if (status_.phase == Phase::Succeeded) {
        recording.production_manifest = *manifest;
        recording.swapped = status_.deployment && status_.deployment->swapped;
      }
    }
    run_id = store_->record(recording);
    status_.artifacts = store_->location() + " invocation " +
                        (invocation_id_.empty() ? "none" : invocation_id_) + " (run " +
                        std::to_string(run_id) + ")";
    status_.stored = StoredArtifacts{store_->database(), store_->schema(), invocation_id_};
    log::info("run recorded", {{"store", store_->location()},
                               {"run", run_id},
                               {"productionManifest", recording.production_manifest.has_value()},
                               {"builtSchemas", nlohmann::json(recording.built_schemas)}});
  } catch (const std::exception& e) {
    log::error("cannot record the run in the state store",
               {{"store", store_->location()}, {"error", scrub(e.what())}});
    add_note("The state store " + store_->location() +
             " could not record this run: " + scrub(e.what()));
    return;
  }

  try {
    auto parsed = read_partial_parse(ws.target_path);
    auto version = status_.dbt_version.empty()
                       ? installed_dbt_version(options_.dbt, path_variable(options_.env))
                       : status_.dbt_version;
    if (parsed && !version.empty()) {
      store_->save_partial_parse(partial_parse_key(spec_, version), *parsed);
    }
  } catch (const std::exception& e) {
    log::warn("cannot save the partial-parse cache", {{"error", scrub(e.what())}});
  }

  if (spec_.schema) return;  // a run in its own schema has no history of its own to compare with
  try {
    auto baseline =
        store_->baseline(spec_.project, spec_.target.name, spec_.anomalies.history_runs, run_id);
    status_.anomalies = detect_anomalies(recording.history, baseline, spec_.anomalies);
    for (const auto& a : status_.anomalies) {
      log::warn("anomaly", {{"node", a.node}, {"message", a.message}});
    }
  } catch (const std::exception& e) {
    log::error("cannot compare the run with its history", {{"error", scrub(e.what())}});
    add_note("Anomaly detection failed: " + scrub(e.what()));
  }
}

int RunPipeline::run() {
  started_ = Clock::now();
  if (spec_.timeout) cancel_at_ = started_ + *spec_.timeout - spec_.cancel_grace;
  status_.phase = Phase::Running;
  status_.start_time = std::chrono::system_clock::now();
  reporter_.started(status_);
  const auto& ws = options_.workspace;
  try {
    auto fetched = run_step(scrubber_, [&] {
      return fetch_source(spec_.source, ws.project_dir, options_.env,
                          {[this] { return should_stop(); }, options_.cancel_fd});
    });
    status_.commit_sha = fetched.commit_sha;
    options_.workspace.project_dir = fetched.project_dir;

    auto password = target_password(spec_.target, options_.env);
    if (!password) throw StepError(missing_password_message(spec_.target));
    write_profiles(ws.profiles_dir, spec_.profile, target_);

    lock_ = run_step(scrubber_, [&] {
      return TargetLock::acquire(target_, *password, spec_.lock_wait,
                                 [this] { return should_stop(); });
    });

    if (needs_deps(options_.workspace.project_dir)) {
      auto outcome = attempt(dbt_deps_args(options_.dbt, options_.workspace), "deps", false);
      if (outcome.exit_code != 0 && !should_stop()) {
        throw StepError("dbt deps failed: " +
                        (outcome.fatal_error.empty()
                             ? "exit code " + std::to_string(outcome.exit_code)
                             : one_line(outcome.fatal_error)));
      }
    }
    // Order after deps: prepare the state store (migrate, restore the partial-parse cache, fetch
    // the deferred-to manifest); the commands; the deployment step (blue-green promotion: after
    // it, target/manifest.json describes the production schemas); then, below the try, the
    // recording steps (artifacts, production manifest, partial parse, history, built schemas,
    // anomalies), which run for failed runs too.
    prepare_state(*password);
    std::optional<BlueGreenDeployment> blue_green;
    if (spec_.deployment.strategy == DeploymentSpec::Strategy::BlueGreen) {
      status_.deployment = DeploymentOutcome{};
      blue_green.emplace(spec_, target_, options_.dbt, options_.workspace, *password,
                         [this](const std::vector<std::string>& argv, const std::string& what) {
                           return attempt(argv, what, false);
                         });
      // Production and staging parses, plan, leftover staging dropped.
      run_step(scrubber_, [&] { blue_green->prepare(); });
    }
    for (const auto& command : spec_.commands) {
      if (!run_command(command)) break;
    }
    // Without the lock another run may be building the target: nothing more is promoted.
    if (!finished_ && stop_reason() == Stop::LockLost) finish_stopped(status_.command);
    if (blue_green && finished_) add_note(blue_green->failed_build_note());
    if (blue_green && !finished_) {
      status_.deployment = run_step(scrubber_, [&] { return blue_green->promote(); });
      add_note(deployment_message(*status_.deployment));
    }
    if (!finished_) finish(Phase::Succeeded, 0, success_message(book_.summary()));
  } catch (const StepError& e) {
    auto stop = stop_reason();
    finish(stop == Stop::Deadline ? Phase::TimedOut
           : stop == Stop::Signal ? Phase::Cancelled
                                  : Phase::Failed,
           2, e.what());
  } catch (const std::exception& e) {
    finish(Phase::Failed, 2, std::string("runner error: ") + e.what());
  }
  record_state();
  lock_.reset();
  log::info("run finished", {{"phase", to_string(status_.phase)},
                             {"exitCode", exit_code_},
                             {"message", status_.message}});
  reporter_.finished(status_);
  return exit_code_;
}

}  // namespace kubedbt::runner
