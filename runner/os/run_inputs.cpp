// The run spec from a file or the environment, and a target's password from the environment.
#include "runner/os/run_inputs.h"

#include "runner/os/read_file.h"
#include "runner/spec/spec_error.h"

namespace kubedbt::runner {

RunSpec load_run_spec(const std::string& file, const Environment& env) {
  if (!file.empty()) {
    auto text = read_file(file);
    if (!text) throw SpecError("--run-spec", "cannot read " + file);
    return parse_run_spec(*text);
  }
  auto it = env.find("KUBEDBT_RUN_SPEC");
  if (it == env.end() || it->second.empty()) {
    throw SpecError("KUBEDBT_RUN_SPEC",
                    "is not set (give the run spec there or with --run-spec FILE)");
  }
  return parse_run_spec(it->second);
}

std::optional<std::string> target_password(const TargetSpec& target, const Environment& env) {
  auto it = env.find(target.password_env);
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string missing_password_message(const TargetSpec& target) {
  return "the password of target \"" + target.name + "\" is expected in $" + target.password_env +
         ", which is not set";
}

}  // namespace kubedbt::runner
