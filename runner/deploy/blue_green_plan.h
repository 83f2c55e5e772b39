// Which schemas a blue-green run swaps: every schema the project writes, paired production <->
// staging by node from two dbt manifests (one parsed for production, one for staging).
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace kubedbt::runner {

// The staging target schema is "<target schema>__kubedbt_staging"; with dbt's default
// generate_schema_name a custom schema "reference" then builds into
// "<target schema>__kubedbt_staging_reference". Every staging schema must contain this marker:
// the runner drops leftover staging schemas before a build, and only ever drops names carrying it.
inline constexpr const char* kStagingMarker = "__kubedbt_staging";
// The swapped-out production schema "P" is kept as "P__kubedbt_previous".
inline constexpr const char* kPreviousSuffix = "__kubedbt_previous";
// PostgreSQL truncates identifiers beyond this many bytes (NAMEDATALEN - 1).
inline constexpr size_t kMaxIdentifierBytes = 63;

// A plan the manifests or the names forbid; the message names the node or schema and the fix.
class PlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One production schema with the staging schema that replaces it and the backup it becomes.
struct SchemaPair {
  std::string production;
  std::string staging;
  std::string previous;

  bool operator==(const SchemaPair&) const = default;
};

// A relation a node leaves in its staging schema; the swap waits for all of them to exist.
struct StagedRelation {
  std::string node;  // unique_id
  std::string schema;
  std::string name;
  std::string materialized;  // dbt's materialization: table, view, incremental, seed, snapshot
  std::string production_schema;
  std::string production_name;

  // A snapshot's history, or an incremental model's rows unless the run is a full refresh, live
  // only in its production table: it is copied into staging before the build.
  bool carries_history(bool full_refresh) const {
    return materialized == "snapshot" || (materialized == "incremental" && !full_refresh);
  }
};

struct BlueGreenPlan {
  std::vector<SchemaPair> pairs;          // sorted by production schema
  std::vector<StagedRelation> relations;  // models (not ephemeral), seeds and snapshots

  std::vector<std::string> production_schemas() const;
  std::vector<std::string> staging_schemas() const;
  std::vector<std::string> previous_schemas() const;
};

// "<target schema>__kubedbt_staging"; throws PlanError when it exceeds 63 bytes.
std::string staging_target_schema(const std::string& target_schema);

// "<production>__kubedbt_previous"; throws PlanError when it exceeds 63 bytes.
std::string previous_schema(const std::string& production_schema);

// Pairs the schema of every node that writes a relation (models other than ephemeral ones, seeds,
// snapshots, functions) in `production` with the schema of the same node (by unique_id) in
// `staging`. Tests are left out: they write nothing unless they store failures, and those audit
// tables are not swapped. Refuses (PlanError) a node outside `database`, a staging schema equal to
// a production one or without the staging marker, one schema paired with two, and names over 63
// bytes.
BlueGreenPlan plan_blue_green(const nlohmann::json& production, const nlohmann::json& staging,
                              const std::string& database);

}  // namespace kubedbt::runner
