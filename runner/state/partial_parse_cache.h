// dbt's partial_parse.msgpack carried between pods: its cache key and the file in target/.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

inline constexpr const char* kPartialParseFile = "partial_parse.msgpack";

// What a saved parse depends on besides the project files (dbt compares those itself).
struct PartialParseKey {
  std::string project;
  std::string target;
  std::string run_schema;   // the run's schema override ("" for the target's own schema)
  std::string dbt_version;  // "" when unknown: the newest entry of any version is restored
  std::string vars_hash;    // SHA-256 of the vars' canonical JSON
};

PartialParseKey partial_parse_key(const RunSpec& spec, const std::string& dbt_version);

// Writes the cached file into `target_path`.
void restore_partial_parse(const std::filesystem::path& target_path, const std::string& content);

// The file dbt left in `target_path`, if any.
std::optional<std::string> read_partial_parse(const std::filesystem::path& target_path);

}  // namespace kubedbt::runner
