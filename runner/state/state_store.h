// The state store: artifacts, production manifests, the partial-parse cache, run history and built
// schemas, kept in the target's own state schema of its database (owned by the target's user).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/spec/step_error.h"
#include "runner/spec/target_spec.h"
#include "runner/state/partial_parse_cache.h"
#include "runner/state/run_history.h"
#include "runner/state/schema_users.h"
#include "runner/state/slim_ci.h"

namespace pqxx {
class transaction_base;
}

namespace kubedbt::runner {

class StateStoreError : public StepError {
 public:
  using StepError::StepError;
};

// One artifact file of a run, as dbt wrote it (the store compresses manifests).
struct RunArtifact {
  std::string name;  // "manifest.json", "02-build-run_results.json", ...
  std::string content;
};

// Everything a finished run leaves in the store, written in one transaction.
struct RunRecording {
  RunRecord history;
  std::vector<RunArtifact> artifacts;
  // The manifest that becomes the target's production manifest (a successful run of the target's
  // own schemas); absent otherwise.
  std::optional<std::string> production_manifest;
  // Schemas a run with a schema override built into (recorded in built_schemas).
  std::vector<std::string> built_schemas;
  // A blue-green run that swapped its build into production: the production manifest it replaces
  // is kept as the previous one, which `kubedbt-runner rollback` brings back.
  bool swapped = false;
};

// The distinct schemas the nodes in `executed` build into, read from the manifest: models (not
// ephemeral), seeds and snapshots. Nodes the run did not execute are left out, so a Slim CI run
// never claims a schema only production's nodes use (a snapshot's absolute target_schema, a
// generate_schema_name override that keeps custom names as they are).
std::vector<std::string> schemas_built_by(const nlohmann::json& manifest,
                                          const std::set<std::string>& executed);

// The schemas a run in its own schema created and so may drop later: those its executed nodes
// (every *run_results.json artifact) build into that were not in `before` (the database's schemas
// when the run started). A schema that existed before belongs to someone else, or was recorded
// by the earlier run that created it. When `results_complete` is false (an invocation left no
// run_results, as one interrupted by a cancel or a timeout may), what ran is unknown: every
// model, seed and snapshot of the manifest counts, still only for schemas that are new.
std::vector<std::string> schemas_created_by_run(const nlohmann::json& manifest,
                                                const std::vector<RunArtifact>& artifacts,
                                                const std::set<std::string>& before,
                                                bool results_complete);

// For the rollback's transaction (same database as the store): project+target's production
// manifest and the one its last blue-green swap replaced trade places, as the schemas do, so a
// second rollback rolls forward again. False when no replaced manifest was kept (nothing changes).
// The store's schema must be migrated.
bool swap_production_manifests(pqxx::transaction_base& tx, const std::string& schema,
                               const std::string& project, const std::string& target);

// The store kubedbt kept before each target had a schema of its own: one schema for every target
// of the database (the run spec's state.schema), and the target whose rows a new store takes over.
struct LegacyState {
  std::string schema;
  std::string target;
};

class StateStore {
 public:
  // Connects to the target's database; throws StateStoreError naming the database and schema.
  StateStore(const TargetSpec& target, const std::string& password, std::string schema);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // "<database>.<schema>", for messages and status.artifacts.
  std::string location() const;
  const std::string& database() const { return database_; }
  const std::string& schema() const { return schema_; }

  // Creates or upgrades the schema (see state_migrations.h); returns the versions applied. A new
  // store takes over `legacy`'s rows of its target when nobody but this user could have written
  // them (legacy_import() says what happened). Throws StateStoreError naming the missing grant, or
  // the role that owns the schema when it is not this user's.
  std::vector<int> migrate(const std::optional<LegacyState>& legacy = std::nullopt);
  // After migrate(): a sentence on what was taken over from the legacy store, or why nothing was;
  // absent when the store already existed or there was no legacy store.
  const std::optional<std::string>& legacy_import() const { return legacy_import_; }

  // Lets each of `readers` (database users) read this store's production manifests and nothing
  // else of it: USAGE on the schema and SELECT on production_manifests (project, target,
  // manifest), after revoking whatever else they held on it, its tables and sequences. Returns one
  // sentence per reader that could not be granted (a role that does not exist, say).
  std::vector<std::string> share_production_manifest(const std::vector<std::string>& readers);

  // The stored production manifest of project+target (JSON text) in `schema`, that target's state
  // schema (this store's or another target's). Absent when none was recorded. While `schema` does
  // not exist, `legacy_schema` (when given) is read instead, and an unreadable legacy store counts
  // as none. Throws StateStoreError naming the grants when this user may not read `schema`.
  std::optional<std::string> production_manifest(const std::string& schema,
                                                 const std::string& project,
                                                 const std::string& target,
                                                 const std::string& legacy_schema = "");

  // The GRANT statements this user lacks to read `relations` (those that exist): USAGE on their
  // schemas, SELECT on their tables. Empty when every one is readable.
  std::vector<std::string> missing_read_grants(const std::vector<Relation>& relations);

  std::optional<std::string> partial_parse(const PartialParseKey& key);
  void save_partial_parse(const PartialParseKey& key, const std::string& content);

  // Every schema of the database now (pg_namespace), so a run can tell those it creates from those
  // that were there before it.
  std::set<std::string> existing_schemas();

  // Records the run as a user of its run schema (schema_users.h), before it builds into it.
  void register_schema_user(const SchemaUser& user);

  // Stores the run; returns its id in <schema>.runs.
  int64_t record(const RunRecording& recording);

  // See recent_successful_runs in run_history.h.
  std::vector<RunRecord> baseline(const std::string& project, const std::string& target, int limit,
                                  int64_t except_id);

 private:
  struct Connection;
  std::unique_ptr<Connection> connection_;
  std::string database_;
  std::string schema_;
  std::string user_;
  std::optional<std::string> legacy_import_;
};

}  // namespace kubedbt::runner
