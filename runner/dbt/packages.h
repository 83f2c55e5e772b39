// A dbt project's packages (packages.yml, dependencies.yml): whether `dbt deps` must install them.
#pragma once

#include <filesystem>

namespace kubedbt::runner {

// True when the project declares packages (packages.yml or dependencies.yml) that are not
// installed yet.
bool needs_deps(const std::filesystem::path& project_dir);

}  // namespace kubedbt::runner
