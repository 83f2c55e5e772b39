// The argv of one dbt invocation: a command from the run spec with its selection, or `dbt retry`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "runner/os/workspace.h"
#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

// Slim CI: the folder holding the deferred-to target's manifest.json; every command and `dbt retry`
// then gets --defer --state <folder>.
using DeferState = std::optional<std::filesystem::path>;

// `dbt <command> ...` with --select/--exclude/--selector/--vars/--full-refresh where the command
// takes them, and the workspace's project, profiles and target.
std::vector<std::string> dbt_command_args(const std::string& dbt, const RunSpec& spec,
                                          const std::string& command, const Workspace& ws,
                                          const DeferState& defer_state = std::nullopt);

// `dbt retry ...`: re-runs the failed and skipped nodes of the previous invocation's run_results.
std::vector<std::string> dbt_retry_args(const std::string& dbt, const RunSpec& spec,
                                        const Workspace& ws,
                                        const DeferState& defer_state = std::nullopt);

// `dbt deps ...`.
std::vector<std::string> dbt_deps_args(const std::string& dbt, const Workspace& ws);

}  // namespace kubedbt::runner
