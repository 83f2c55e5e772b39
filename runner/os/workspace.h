// The folders of one run: the project, profiles.yml, dbt's target and log paths, kept artifacts.
#pragma once

#include <filesystem>

namespace kubedbt::runner {

struct Workspace {
  std::filesystem::path project_dir;    // holds dbt_project.yml
  std::filesystem::path profiles_dir;   // holds the rendered profiles.yml
  std::filesystem::path target_path;    // dbt's target/ (run_results.json, manifest.json, ...)
  std::filesystem::path log_path;       // dbt's logs/
  std::filesystem::path artifacts_dir;  // each attempt's artifacts, kept under their attempt number
};

// A pod's layout under one work folder: source/, profiles/, target/, logs/, artifacts/.
Workspace pod_workspace(const std::filesystem::path& work_dir);

}  // namespace kubedbt::runner
