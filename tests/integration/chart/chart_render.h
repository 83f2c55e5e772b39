// Rendering charts/kubedbt with the cache's helm, and the repository's YAML as JSON, for the chart
// suites.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cluster/support/test_cluster.h"

namespace kubedbt::testing::chart {

using Json = nlohmann::json;

// A file or folder of the source tree, such as "charts/kubedbt".
std::string source_path(const std::string& relative);
// $KUBEDBT_CACHE/bin/helm.
std::string helm_path();
// helm with these arguments (no shell).
CommandResult helm(const std::vector<std::string>& args);

// `helm template <release> charts/kubedbt -n <ns> <args...>`; throws with helm's stderr on error.
std::string render(const std::string& release, const std::string& ns,
                   const std::vector<std::string>& args = {});

// Every document of a multi-document YAML text as JSON (empty documents dropped).
std::vector<Json> yaml_documents(const std::string& text);
std::vector<Json> yaml_file_documents(const std::string& relative_path);

// The only object of `kind` named `name` among `objects`; throws naming what is there otherwise.
Json find_object(const std::vector<Json>& objects, const std::string& kind,
                 const std::string& name);
// Every object of `kind`.
std::vector<Json> objects_of_kind(const std::vector<Json>& objects, const std::string& kind);

}  // namespace kubedbt::testing::chart
