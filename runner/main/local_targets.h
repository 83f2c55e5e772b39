// Local mode's targets: a developer's kubedbt.yml beside the project, in the run spec's vocabulary.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "runner/spec/target_spec.h"

namespace kubedbt::runner {

struct LocalTargets {
  std::string profile;  // empty: the profile named in dbt_project.yml
  std::map<std::string, TargetSpec> targets;
};

// Parses YAML text: {profile?: name, targets: {<name>: {host, port, user, dbname, schema,
// passwordEnv, protected?, ...}}}. `origin` names the file in errors.
LocalTargets parse_local_targets(const std::string& yaml_text, const std::string& origin);
LocalTargets load_local_targets(const std::filesystem::path& file);

// The `profile:` of a dbt_project.yml.
std::string project_profile(const std::filesystem::path& project_dir);

// The target to build; throws SpecError when it is unknown or protected (local runs never build
// protected targets).
const TargetSpec& choose_local_target(const LocalTargets& targets, const std::string& name,
                                      const std::string& origin);

}  // namespace kubedbt::runner
