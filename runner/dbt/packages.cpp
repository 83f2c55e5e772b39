// Packages count as installed once dbt_packages/ exists, as `dbt deps` leaves it.
#include "runner/dbt/packages.h"

namespace kubedbt::runner {

bool needs_deps(const std::filesystem::path& project_dir) {
  bool declared = std::filesystem::exists(project_dir / "packages.yml") ||
                  std::filesystem::exists(project_dir / "dependencies.yml");
  return declared && !std::filesystem::exists(project_dir / "dbt_packages");
}

}  // namespace kubedbt::runner
