// The dist-info folder of dbt-core beside <prefix>/bin/dbt: <prefix>/lib/python*/site-packages.
#include "runner/dbt/version.h"

#include <filesystem>
#include <sstream>

namespace kubedbt::runner {
namespace {

std::filesystem::path find_executable(const std::string& dbt, const std::string& path_env) {
  if (dbt.find('/') != std::string::npos) return dbt;
  std::stringstream dirs(path_env);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    auto candidate = std::filesystem::path(dir) / dbt;
    std::error_code ec;
    if (!dir.empty() && std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return {};
}

}  // namespace

std::string installed_dbt_version(const std::string& dbt, const std::string& path_env) {
  auto executable = find_executable(dbt, path_env);
  if (executable.empty()) return "";
  std::error_code ec;
  auto lib = executable.parent_path().parent_path() / "lib";
  if (!std::filesystem::is_directory(lib, ec)) return "";
  for (const auto& python : std::filesystem::directory_iterator(lib, ec)) {
    auto site = python.path() / "site-packages";
    if (python.path().filename().string().rfind("python", 0) != 0 ||
        !std::filesystem::is_directory(site, ec)) {
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(site, ec)) {
      auto name = entry.path().filename().string();
      const std::string prefix = "dbt_core-";
      const std::string suffix = ".dist-info";
      if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size() + suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      }
    }
  }
  return "";
}

}  // namespace kubedbt::runner
