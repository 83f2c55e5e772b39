// The version of the dbt-core installation the runner starts, read without starting it.
#pragma once

#include <string>

namespace kubedbt::runner {

// The version of the dbt-core installation behind `dbt` (a path, or a name found on `path_env`),
// read from its Python package metadata without starting Python; "" when it cannot be found.
std::string installed_dbt_version(const std::string& dbt, const std::string& path_env);

}  // namespace kubedbt::runner
