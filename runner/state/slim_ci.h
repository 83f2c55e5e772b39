// Slim CI: the production manifest of the deferred-to target as dbt's --state, or, when none is
// stored yet, a selection without state: methods so the run builds everything it would otherwise.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

// A relation a deferred run may read from the target it defers to.
struct Relation {
  std::string schema;
  std::string name;
};

// The relations a manifest's models (not ephemeral), seeds and snapshots build, by unique id: in a
// production manifest, what a run deferred to it may read in place of building them.
std::map<std::string, Relation> built_relations(const nlohmann::json& manifest);

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
