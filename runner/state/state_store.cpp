// StateStore over one libpqxx connection. Manifests and partial-parse files are zlib-compressed;
// run_results and sources are small and kept as written.
#include "runner/state/state_store.h"

#include <pqxx/pqxx>
#include <set>

#include "runner/postgres/connection_string.h"
#include "runner/state/artifact_codec.h"
#include "runner/state/state_migrations.h"

namespace kubedbt::runner {
namespace {

// Manifests are large and repetitive; run_results and sources are small.
bool compressed(const std::string& name) { return name == "manifest.json"; }

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::vector<std::string> schemas_built_by(const nlohmann::json& manifest,
                                          const std::set<std::string>& executed) {
  std::set<std::string> schemas;
  auto nodes = manifest.find("nodes");
  if (nodes == manifest.end() || !nodes->is_object()) return {};
  for (const auto& [unique_id, node] : nodes->items()) {
    if (!executed.count(unique_id)) continue;
    auto type = node.value("resource_type", "");
    if (type != "model" && type != "seed" && type != "snapshot") continue;
    auto config = node.find("config");
    if (config != node.end() && config->is_object() &&
        config->value("materialized", "") == "ephemeral") {
      continue;
    }
    auto schema = node.find("schema");
    if (schema != node.end() && schema->is_string()) schemas.insert(schema->get<std::string>());
  }
  return {schemas.begin(), schemas.end()};
}

std::vector<std::string> schemas_created_by_run(const nlohmann::json& manifest,
                                                const std::vector<RunArtifact>& artifacts,
                                                const std::set<std::string>& before,
                                                bool results_complete) {
  std::set<std::string> executed;
  if (!results_complete) {
    if (auto nodes = manifest.find("nodes"); nodes != manifest.end() && nodes->is_object()) {
      for (const auto& [unique_id, node] : nodes->items()) executed.insert(unique_id);
    }
  }
  const std::string suffix = "run_results.json";
  for (const auto& artifact : artifacts) {
    const auto& name = artifact.name;
    if (name.size() < suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    executed.merge(executed_nodes(parse_run_results(nlohmann::json::parse(artifact.content))));
  }
  std::vector<std::string> created;
  for (auto& schema : schemas_built_by(manifest, executed)) {
    if (!before.count(schema)) created.push_back(std::move(schema));
  }
  return created;
}

struct StateStore::Connection {
  explicit Connection(const std::string& options) : db(options) {}
  pqxx::connection db;
};

StateStore::StateStore(const TargetSpec& target, const std::string& password, std::string schema)
    : database_(target.dbname), schema_(std::move(schema)) {
  try {
    connection_ =
        std::make_unique<Connection>(connection_string(target, password, "kubedbt-runner state"));
  } catch (const std::exception& e) {
    throw StateStoreError("cannot connect to the state store " + location() + " at " + target.host +
                          ":" + std::to_string(target.port) + " as " + target.user + ": " +
                          trimmed(e.what()));
  }
}

StateStore::~StateStore() = default;

std::string StateStore::location() const { return database_ + "." + schema_; }

std::vector<int> StateStore::migrate() {
  try {
    return apply_state_migrations(connection_->db, schema_);
  } catch (const std::exception& e) {
    throw StateStoreError("cannot prepare the state store " + location() + ": " +
                          trimmed(e.what()) +
                          " (the target's user needs CREATE on the database, or set "
                          "spec.state.schema to a schema it may use)");
  }
}

std::optional<std::string> StateStore::production_manifest(const std::string& project,
                                                           const std::string& target) {
  pqxx::read_transaction tx(connection_->db);
  auto rows = tx.exec_params("select manifest from " + tx.quote_name(schema_) +
                                 ".production_manifests where project = $1 and target = $2",
                             project, target);
  if (rows.empty()) return std::nullopt;
  return decompress_artifact(pqxx::binarystring(rows[0][0]).str());
}

std::set<std::string> StateStore::existing_schemas() {
  pqxx::read_transaction tx(connection_->db);
  std::set<std::string> out;
  for (const auto& row : tx.exec("select nspname from pg_namespace")) {
    out.insert(row[0].as<std::string>());
  }
  return out;
}

void StateStore::register_schema_user(const SchemaUser& user) {
  pqxx::work tx(connection_->db);
  runner::register_schema_user(tx, schema_, user);
  tx.commit();
}

std::optional<std::string> StateStore::partial_parse(const PartialParseKey& key) {
  pqxx::read_transaction tx(connection_->db);
  // An unknown dbt version takes the newest entry; dbt itself refuses a file of another version.
  auto rows =
      tx.exec_params("select content from " + tx.quote_name(schema_) +
                         ".partial_parse_cache where project = $1 and target = $2 and "
                         "run_schema = $3 and vars_hash = $4 and ($5 = '' or dbt_version "
                         "= $5) order by saved_at desc limit 1",
                     key.project, key.target, key.run_schema, key.vars_hash, key.dbt_version);
  if (rows.empty()) return std::nullopt;
  return decompress_artifact(pqxx::binarystring(rows[0][0]).str());
}

void StateStore::save_partial_parse(const PartialParseKey& key, const std::string& content) {
  pqxx::work tx(connection_->db);
  tx.exec_params("insert into " + tx.quote_name(schema_) +
                     ".partial_parse_cache (project, target, run_schema, dbt_version, vars_hash, "
                     "content) values ($1, $2, $3, $4, $5, $6) on conflict (project, target, "
                     "run_schema, dbt_version, vars_hash) do update set content = "
                     "excluded.content, saved_at = now()",
                 key.project, key.target, key.run_schema, key.dbt_version, key.vars_hash,
                 pqxx::binarystring(compress_artifact(content)));
  tx.commit();
}

int64_t StateStore::record(const RunRecording& r) {
  pqxx::work tx(connection_->db);
  const std::string s = tx.quote_name(schema_);
  int64_t id = insert_run(tx, schema_, r.history);
  for (const auto& a : r.artifacts) {
    bool zlib = compressed(a.name);
    tx.exec_params("insert into " + s +
                       ".artifacts (run_id, name, encoding, size_bytes, content) values ($1, $2, "
                       "$3, $4, $5)",
                   id, a.name, zlib ? "zlib" : "identity", static_cast<int64_t>(a.content.size()),
                   pqxx::binarystring(zlib ? compress_artifact(a.content) : a.content));
  }
  if (r.production_manifest) {
    // A swap keeps the manifest it replaces; any other production run leaves the kept one alone.
    const std::string m = s + ".production_manifests";
    auto kept = [&](const std::string& column) {
      return "previous_" + column + " = case when $7 then " + m + "." + column + " else " + m +
             ".previous_" + column + " end";
    };
    tx.exec_params("insert into " + m +
                       " (project, target, run_id, invocation_id, dbt_version, manifest) values "
                       "($1, $2, $3, $4, $5, $6) on conflict (project, target) do update set " +
                       kept("run_id") + ", " + kept("invocation_id") + ", " + kept("dbt_version") +
                       ", " + kept("manifest") +
                       ", run_id = excluded.run_id, invocation_id = excluded.invocation_id, "
                       "dbt_version = excluded.dbt_version, manifest = excluded.manifest, "
                       "updated_at = now()",
                   r.history.project, r.history.target, id, r.history.invocation_id,
                   r.history.dbt_version,
                   pqxx::binarystring(compress_artifact(*r.production_manifest)), r.swapped);
  }
  if (r.history.run_schema) {
    for (const auto& built : r.built_schemas) {
      tx.exec_params("insert into " + s +
                         ".built_schemas (project, run_schema, schema, recorded_at) values ($1, "
                         "$2, $3, now()) on conflict (project, run_schema, schema) do update set "
                         "recorded_at = now()",
                     r.history.project, *r.history.run_schema, built);
    }
  }
  tx.commit();
  return id;
}

bool swap_production_manifests(pqxx::transaction_base& tx, const std::string& schema,
                               const std::string& project, const std::string& target) {
  // One UPDATE reads every column's old value, so the pairs trade places.
  auto swapped = tx.exec_params(
      "update " + tx.quote_name(schema) +
          ".production_manifests set run_id = previous_run_id, previous_run_id = run_id, "
          "invocation_id = previous_invocation_id, previous_invocation_id = invocation_id, "
          "dbt_version = previous_dbt_version, previous_dbt_version = dbt_version, manifest = "
          "previous_manifest, previous_manifest = manifest, updated_at = now() where project = $1 "
          "and target = $2 and previous_manifest is not null",
      project, target);
  return swapped.affected_rows() == 1;
}

std::vector<RunRecord> StateStore::baseline(const std::string& project, const std::string& target,
                                            int limit, int64_t except_id) {
  pqxx::read_transaction tx(connection_->db);
  return recent_successful_runs(tx, schema_, project, target, limit, except_id);
}

}  // namespace kubedbt::runner
