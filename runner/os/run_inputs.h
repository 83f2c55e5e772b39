// What every kubedbt-runner subcommand reads from its host: the run spec and its target's password.
#pragma once

#include <optional>
#include <string>

#include "runner/os/subprocess.h"
#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

// The run spec in `file`, or in $KUBEDBT_RUN_SPEC of `env` when `file` is empty. Throws SpecError
// naming --run-spec (unreadable file), KUBEDBT_RUN_SPEC (unset) or the spec's own field.
RunSpec load_run_spec(const std::string& file, const Environment& env);

// The value of the target's passwordEnv variable in `env`; nullopt when it is unset or empty.
std::optional<std::string> target_password(const TargetSpec& target, const Environment& env);

// The sentence for a target whose password variable is unset or empty.
std::string missing_password_message(const TargetSpec& target);

}  // namespace kubedbt::runner
