// Helpers of the api integration suites: install crds/ once per test binary and talk to the
// cluster through kubectl, as users do.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cluster/support/test_cluster.h"

namespace kubedbt::testing {

// Server-side applies every CRD of crds/ (idempotent; shared field manager, never deleted, so
// suites running in parallel do not race) and waits until all three are Established.
// Runs once per process; throws with kubectl's output when it fails.
void install_crds();

// Path of a file of the source tree, such as "examples/manifests".
std::string source_path(const std::string& relative);

// kubectl -n <ns> apply -f - with `yaml` on stdin.
CommandResult apply_yaml(const std::string& ns, const std::string& yaml);

// kubectl -n <ns> get <resource> <name> -o json, parsed; throws when kubectl fails.
nlohmann::json get_json(const std::string& ns, const std::string& resource,
                        const std::string& name);

// One row of `kubectl get <resource> <name>` (any -o wide flag in `extra_args`) as header ->
// cell, cut at the header offsets so empty cells stay empty.
std::vector<std::pair<std::string, std::string>> get_row(
    const std::string& ns, const std::string& resource, const std::string& name,
    const std::vector<std::string>& extra_args = {});

// The cell under `header` in a row from get_row; throws when there is no such column.
std::string cell(const std::vector<std::pair<std::string, std::string>>& row,
                 const std::string& header);

}  // namespace kubedbt::testing
