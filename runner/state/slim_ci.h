// Slim CI: the production manifest of the deferred-to target as dbt's --state, or, when none is
// stored yet, a selection without state: methods so the run builds everything it would otherwise.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

// True for a selection word that needs a state manifest: "state:modified+", "+state:new,tag:x".
bool is_state_selector(const std::string& word);

// Removes the state-based words from spec.select and spec.exclude; returns the removed words.
std::vector<std::string> drop_state_selectors(RunSpec& spec);

// Writes the manifest as <dir>/manifest.json, the layout dbt's --state reads; returns `dir`.
std::filesystem::path write_defer_state(const std::filesystem::path& dir,
                                        const std::string& manifest);

// The status sentence of a deferred run that found no production manifest.
std::string no_production_manifest_message(const RunSpec& spec,
                                           const std::vector<std::string>& dropped);

}  // namespace kubedbt::runner
