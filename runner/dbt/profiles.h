// profiles.yml for one target, with the password only as env_var() of its DBT_ENV_SECRET_ variable.
#pragma once

#include <filesystem>
#include <string>

#include "runner/spec/target_spec.h"

namespace kubedbt::runner {

// keepalives_idle of a postgres target whose extra settings do not set one.
inline constexpr int kDbtKeepaliveIdleSeconds = 30;

// The YAML text: <profile>: {target: <name>, outputs: {<name>: {...}}}.
std::string render_profiles(const std::string& profile, const TargetSpec& target);

// Writes <dir>/profiles.yml (mode 0600) and returns its path.
std::filesystem::path write_profiles(const std::filesystem::path& dir, const std::string& profile,
                                     const TargetSpec& target);

}  // namespace kubedbt::runner
