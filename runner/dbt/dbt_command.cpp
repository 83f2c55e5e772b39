// dbt argv building: flags every invocation shares, then what each command accepts.
#include "runner/dbt/dbt_command.h"

namespace kubedbt::runner {
namespace {

std::vector<std::string> common(const std::string& dbt, const std::vector<std::string>& words,
                                const Workspace& ws) {
  std::vector<std::string> argv{dbt, "--log-format", "json", "--no-use-colors"};
  argv.insert(argv.end(), words.begin(), words.end());
  argv.insert(argv.end(), {"--project-dir", ws.project_dir.string(), "--profiles-dir",
                           ws.profiles_dir.string()});
  return argv;
}

void add_connection(std::vector<std::string>& argv, const RunSpec& spec) {
  argv.insert(argv.end(), {"--profile", spec.profile, "--target", spec.target.name});
}

void add_vars(std::vector<std::string>& argv, const RunSpec& spec) {
  if (!spec.vars.empty()) argv.insert(argv.end(), {"--vars", spec.vars.dump()});
}

void add_defer(std::vector<std::string>& argv, const DeferState& defer_state) {
  if (defer_state) argv.insert(argv.end(), {"--defer", "--state", defer_state->string()});
}

}  // namespace

std::vector<std::string> dbt_command_args(const std::string& dbt, const RunSpec& spec,
                                          const std::string& command, const Workspace& ws,
                                          const DeferState& defer_state) {
  auto words = command_words(command);
  auto argv = common(dbt, words, ws);
  add_connection(argv, spec);
  bool selects = command != "docs generate";
  if (selects) {
    for (const auto& s : spec.select) argv.insert(argv.end(), {"--select", s});
    for (const auto& e : spec.exclude) argv.insert(argv.end(), {"--exclude", e});
    if (!spec.selector.empty()) argv.insert(argv.end(), {"--selector", spec.selector});
  }
  add_vars(argv, spec);
  if (spec.full_refresh && (command == "build" || command == "run" || command == "seed")) {
    argv.push_back("--full-refresh");
  }
  add_defer(argv, defer_state);
  return argv;
}

std::vector<std::string> dbt_retry_args(const std::string& dbt, const RunSpec& spec,
                                        const Workspace& ws, const DeferState& defer_state) {
  auto argv = common(dbt, {"retry"}, ws);
  add_connection(argv, spec);
  add_vars(argv, spec);
  add_defer(argv, defer_state);
  return argv;
}

std::vector<std::string> dbt_deps_args(const std::string& dbt, const Workspace& ws) {
  return common(dbt, {"deps"}, ws);
}

}  // namespace kubedbt::runner
