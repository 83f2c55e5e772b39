// kubedbt-runner: the entrypoint of every run pod, and a local mode for developers.
//   pod:   kubedbt-runner [--run-spec FILE] [--work-dir DIR]   (spec in $KUBEDBT_RUN_SPEC or FILE)
//   local: kubedbt-runner --project-dir DIR --target dev build
//   rollback: kubedbt-runner rollback [--run-spec FILE]   (swap blue-green backups back in)
//   drop-schema: kubedbt-runner drop-schema [--run-spec FILE] [--protected-schema S]...
//                (drop a CI run's own schemas when its DbtRun is deleted)
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/log.h"
#include "runner/alerts/run_notifications.h"
#include "runner/deploy/blue_green_deployment.h"
#include "runner/deploy/drop_schema.h"
#include "runner/main/local_targets.h"
#include "runner/os/cancellation.h"
#include "runner/os/run_inputs.h"
#include "runner/pipeline/run_pipeline.h"
#include "runner/report/cluster/dbtrun_reporter.h"
#include "runner/report/cluster/file_status_reporter.h"
#include "runner/report/console_status_reporter.h"
#include "runner/report/status_reporter.h"
#include "runner/spec/run_spec.h"

namespace {

using namespace kubedbt::runner;

constexpr int kUsageError = 2;
// The DbtRun ended, or is another object, before this pod started: nothing ran.
constexpr int kNotThisRun = 3;
constexpr const char* kTerminationLog = "/dev/termination-log";

struct Arguments {
  std::string run_spec_file;
  std::vector<std::string> protected_schemas;  // drop-schema
  std::string work_dir;
  std::string status_file;
  std::string dbt;
  // local mode
  std::string project_dir;
  std::string target;
  std::string targets_file;
  std::vector<std::string> command;
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  int timeout_seconds = 0;
  int retries = 0;
};

RunSpec local_spec(const Arguments& a) {
  std::filesystem::path project = std::filesystem::absolute(a.project_dir);
  if (!std::filesystem::exists(project / "dbt_project.yml")) {
    throw SpecError("--project-dir",
                    "no dbt project at " + project.string() + " (dbt_project.yml not found)");
  }
  auto targets_file =
      a.targets_file.empty() ? project / "kubedbt.yml" : std::filesystem::path(a.targets_file);
  auto targets = load_local_targets(targets_file);
  RunSpec spec;
  spec.profile = targets.profile.empty() ? project_profile(project) : targets.profile;
  spec.target = choose_local_target(targets, a.target, targets_file.string());
  spec.source.baked_path = project.string();
  std::string command;
  for (const auto& w : a.command) command += (command.empty() ? "" : " ") + w;
  // Validated like a run spec's command list.
  nlohmann::json doc = {{"profile", spec.profile},
                        {"source", {{"path", spec.source.baked_path}}},
                        {"target",
                         {{"name", spec.target.name},
                          {"host", spec.target.host},
                          {"user", spec.target.user},
                          {"dbname", spec.target.dbname},
                          {"schema", spec.target.schema},
                          {"passwordEnv", spec.target.password_env}}},
                        {"commands", {command.empty() ? "build" : command}}};
  spec.commands = parse_run_spec(doc).commands;
  spec.select = a.select;
  spec.exclude = a.exclude;
  if (a.timeout_seconds > 0) spec.timeout = std::chrono::seconds(a.timeout_seconds);
  spec.retries.limit = a.retries;
  spec.retries.backoff = std::chrono::seconds(2);
  return spec;
}

Workspace local_workspace(const RunSpec& spec, const std::filesystem::path& scratch) {
  Workspace ws;
  ws.project_dir = spec.source.baked_path;
  ws.profiles_dir = scratch / "profiles";
  ws.target_path = ws.project_dir / "target";
  ws.log_path = ws.project_dir / "logs";
  ws.artifacts_dir = ws.target_path / "kubedbt-artifacts";
  return ws;
}

std::filesystem::path make_work_dir(const std::string& requested) {
  if (!requested.empty()) {
    std::filesystem::create_directories(requested);
    return std::filesystem::absolute(requested);
  }
  auto base = std::filesystem::temp_directory_path() / "kubedbt-runner-XXXXXX";
  std::string pattern = base.string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a work folder in /tmp");
  return pattern;
}

int run(const Arguments& a) {
  auto env = current_environment();
  bool local = !a.project_dir.empty();
  RunSpec spec;
  try {
    spec = local ? local_spec(a) : load_run_spec(a.run_spec_file, env);
  } catch (const SpecError& e) {
    std::string what = local ? "cannot run locally" : "invalid run spec";
    kubedbt::log::error(what, {{"field", e.field()}, {"error", e.what()}});
    std::cerr << "kubedbt-runner: " << what << ": " << e.what() << "\n";
    return kUsageError;
  }
  auto work_dir = make_work_dir(a.work_dir);
  auto& cancellation = CancellationSignal::install();
  PipelineOptions options;
  options.dbt = !a.dbt.empty() ? a.dbt : env.count("KUBEDBT_DBT") ? env.at("KUBEDBT_DBT") : "dbt";
  options.workspace = local ? local_workspace(spec, work_dir) : pod_workspace(work_dir);
  options.env = env;
  options.echo = local ? EchoMode::Text : EchoMode::Json;
  options.cancel_fd = cancellation.fd();
  options.cancelled = [&] { return cancellation.requested(); };
  options.cancel_signal = [&] { return cancellation.signal(); };

  StatusReporters reporters;
  if (local || !spec.run) reporters.add(std::make_unique<ConsoleStatusReporter>(std::cerr));
  if (!a.status_file.empty())
    reporters.add(std::make_unique<FileStatusReporter>(a.status_file, spec.target.name,
                                                       spec.run ? spec.run->job_name : ""));
  if (spec.run) {
    try {
      reporters.add(make_dbt_run_reporter(spec));
    } catch (const std::exception& e) {
      kubedbt::log::error("cannot report to the DbtRun", {{"error", e.what()}});
      std::cerr << "kubedbt-runner: cannot report to DbtRun " << spec.run->namespace_name << "/"
                << spec.run->name << ": " << e.what() << "\n";
      return kUsageError;
    }
  }
  RunPipeline pipeline(spec, options, reporters);
  int code = 0;
  try {
    code = pipeline.run();
  } catch (const NotThisRunError& e) {
    kubedbt::log::error("not running", {{"error", e.what()}});
    std::cerr << "kubedbt-runner: " << e.what() << "\n";
    return kNotThisRun;
  }
  auto status = pipeline.status();
  status.notifications = send_notifications(spec, status, env);  // never changes `code`
  if (!status.notifications.empty()) reporters.notified(status);
  if (local) std::filesystem::remove_all(work_dir);
  return code;
}

// Swaps the target's production schemas with their blue-green backups; twice rolls forward again.
int rollback(const Arguments& a) {
  auto env = current_environment();
  RunSpec spec;
  try {
    spec = load_run_spec(a.run_spec_file, env);
  } catch (const SpecError& e) {
    kubedbt::log::error("invalid run spec", {{"field", e.field()}, {"error", e.what()}});
    std::cerr << "kubedbt-runner rollback: invalid run spec: " << e.what() << "\n";
    return kUsageError;
  }
  auto password = target_password(spec.target, env);
  if (!password) {
    std::cerr << "kubedbt-runner rollback: " << missing_password_message(spec.target) << "\n";
    return kUsageError;
  }
  try {
    auto rolled = roll_back(spec, run_target(spec), *password);
    std::cout << "Rolled back target " << spec.target.name << ":";
    for (const auto& pair : rolled.schemas) {
      std::cout << " " << pair.production << " <-> " << pair.previous;
    }
    std::cout << (rolled.manifest_restored
                      ? "; the stored production manifest (Slim CI's state) rolled back too\n"
                      : "; no earlier production manifest was kept, so Slim CI compares with the "
                        "rolled-back build until the next successful run\n");
    return 0;
  } catch (const DeploymentError& e) {
    kubedbt::log::error("rollback failed", {{"target", spec.target.name}, {"error", e.what()}});
    std::cerr << "kubedbt-runner: " << e.what() << "\n";
    return 1;
  }
}

// Drops the run's own schema and the schemas it recorded; exit 0 done, 1 refused or failed.
// In a pod, the outcome of a subcommand as the container's termination message, which the
// operator quotes in its Event; elsewhere (no /dev/termination-log) nothing.
void write_termination_message(const std::string& message) {
  if (!std::filesystem::exists(kTerminationLog)) return;
  std::ofstream out(kTerminationLog);
  if (out) out << message << "\n";
}

int drop_schema(const Arguments& a) {
  auto env = current_environment();
  RunSpec spec;
  try {
    spec = load_run_spec(a.run_spec_file, env);
  } catch (const SpecError& e) {
    std::cerr << "kubedbt-runner drop-schema: invalid run spec: " << e.what() << "\n";
    return kUsageError;
  }
  try {
    auto outcome =
        drop_run_schemas(spec, target_password(spec.target, env).value_or(""), a.protected_schemas);
    std::string said;
    if (!outcome.still_used_by.empty()) {
      said = "Kept schema " + *spec.schema + ": still used by run(s)";
      for (const auto& run : outcome.still_used_by) said += " " + run;
      said += "; the last of them drops it when it is deleted.";
    } else {
      said = "Dropped schemas:";
      for (const auto& schema : outcome.dropped) said += " " + schema;
    }
    std::cout << said << "\n";
    write_termination_message(said);
    return 0;
  } catch (const DropSchemaError& e) {
    kubedbt::log::error("drop-schema failed", {{"target", spec.target.name}, {"error", e.what()}});
    std::cerr << "kubedbt-runner drop-schema: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  kubedbt::log::init("kubedbt-runner");
  CLI::App app{"kubedbt-runner: runs dbt for a DbtRun, or locally against a development target"};
  Arguments a;
  app.add_option("--run-spec", a.run_spec_file, "run spec JSON file (default: $KUBEDBT_RUN_SPEC)");
  app.add_option("--work-dir", a.work_dir, "folder for the source, profiles and artifacts");
  app.add_option("--status-file", a.status_file, "also write the status JSON to this file");
  app.add_option("--dbt", a.dbt, "dbt executable (default: $KUBEDBT_DBT or dbt on PATH)");
  app.add_option("--project-dir", a.project_dir, "local mode: the dbt project to build");
  app.add_option("--target", a.target,
                 "local mode: target from kubedbt.yml (never a protected one)");
  app.add_option("--targets", a.targets_file,
                 "local mode: targets file (default: <project>/kubedbt.yml)");
  app.add_option("--select,-s", a.select, "local mode: dbt node selection");
  app.add_option("--exclude", a.exclude, "local mode: dbt nodes to exclude");
  app.add_option("--timeout", a.timeout_seconds, "local mode: seconds before dbt is interrupted");
  app.add_option("--retries", a.retries, "local mode: retries of transient failures")
      ->check(CLI::Range(0, 10));
  app.add_option("command", a.command, "local mode: the dbt command (default: build)");
  auto* rollback_command = app.add_subcommand(
      "rollback", "swap the target's production schemas with their blue-green backups");
  rollback_command->add_option("--run-spec", a.run_spec_file,
                               "run spec JSON file (default: $KUBEDBT_RUN_SPEC)");
  auto* drop_schema_command = app.add_subcommand(
      "drop-schema", "drop a CI run's own schema and the custom schemas it built");
  drop_schema_command->add_option("--run-spec", a.run_spec_file,
                                  "run spec JSON file (default: $KUBEDBT_RUN_SPEC)");
  drop_schema_command->add_option("--protected-schema", a.protected_schemas,
                                  "a protected target's schema, never dropped (repeatable)");
  try {
    app.parse(argc, argv);
    if (!a.project_dir.empty() && a.target.empty()) {
      throw CLI::ValidationError("--target", "local mode needs --target");
    }
    if (a.project_dir.empty() && !a.command.empty()) {
      throw CLI::ValidationError("command",
                                 "commands come from the run spec unless --project-dir is given");
    }
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kUsageError;
  }
  try {
    if (rollback_command->parsed()) return rollback(a);
    if (drop_schema_command->parsed()) return drop_schema(a);
    return run(a);
  } catch (const std::exception& e) {
    kubedbt::log::error("runner failed", {{"error", e.what()}});
    std::cerr << "kubedbt-runner: " << e.what() << "\n";
    return kUsageError;
  }
}
