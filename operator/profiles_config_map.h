// The profiles ConfigMap of a DbtProject: profiles.yml for every target, secrets only as env_var().
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/dbt_project.h"

namespace kubedbt::op {

// The profiles.yml text: <profile>: {target: <default>, outputs: {<target>: {...}}}; a target's
// password is "{{ env_var('DBT_ENV_SECRET_<TARGET>_PASSWORD') }}", never a value.
std::string render_profiles_yaml(const api::DbtProject& project);

// The ConfigMap (apply configuration) holding profiles.yml, owned by the project.
nlohmann::json build_profiles_config_map(const api::DbtProject& project);

}  // namespace kubedbt::op
