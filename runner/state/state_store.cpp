// StateStore over one libpqxx connection. Manifests and partial-parse files are zlib-compressed;
// run_results and sources are small and kept as written.
#include "runner/state/state_store.h"

#include <algorithm>
#include <cctype>
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

// A name as a DBA would type it in a GRANT: bare when PostgreSQL keeps it as it is, else quoted.
std::string sql_name(const std::string& name) {
  auto plain = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  };
  if (!name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
      std::all_of(name.begin(), name.end(), plain)) {
    return name;
  }
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// The roles other than this user that could have written `schema`'s tables: owners this user is
// not a member of, and grantees of INSERT, UPDATE, DELETE or TRUNCATE (PUBLIC included).
std::vector<std::string> other_writers(pqxx::transaction_base& tx, const std::string& schema) {
  std::vector<std::string> roles;
  for (const auto& row : tx.exec_params(
           "with rels as (select c.oid, c.relowner, c.relacl from pg_class c join pg_namespace n "
           "on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'p')), "
           "grants as (select r.relowner, a.grantee, a.privilege_type from rels r, "
           "aclexplode(r.relacl) a union all select r.relowner, a.grantee, a.privilege_type from "
           "rels r join pg_attribute t on t.attrelid = r.oid, aclexplode(t.attacl) a) "
           "select case when grantee = 0 then 'PUBLIC' else pg_get_userbyid(grantee) end from "
           "grants where grantee <> relowner and privilege_type in ('INSERT', 'UPDATE', 'DELETE', "
           "'TRUNCATE') union select pg_get_userbyid(relowner) from rels where not "
           "pg_has_role(relowner, 'MEMBER') order by 1",
           schema)) {
    roles.push_back(row[0].as<std::string>());
  }
  return roles;
}

// Copies `legacy.target`'s rows from the legacy store into the new store `schema` (both at the
// latest migration, so their tables match column for column); run ids are kept. Returns what
// happened, or nullopt when there is no legacy store.
std::optional<std::string> import_legacy_state(pqxx::dbtransaction& tx, const std::string& schema,
                                               const LegacyState& legacy) {
  auto owner = tx.exec_params(
      "select pg_get_userbyid(nspowner), pg_has_role(nspowner, 'MEMBER'), to_regclass($2) is not "
      "null from pg_namespace where nspname = $1",
      legacy.schema, tx.quote_name(legacy.schema) + ".schema_migrations");
  if (owner.empty()) return std::nullopt;
  const std::string not_taken = "The state of target " + legacy.target +
                                " kept in the shared schema " + legacy.schema +
                                " was not taken over into " + schema + ": ";
  if (!owner[0][1].as<bool>()) {
    return not_taken + "it belongs to role " + owner[0][0].as<std::string>() +
           ", which may have written it.";
  }
  if (!owner[0][2].as<bool>()) return std::nullopt;
  const std::string l = tx.quote_name(legacy.schema);
  const std::string s = tx.quote_name(schema);
  auto version =
      tx.exec("select coalesce(max(version), 0) from " + l + ".schema_migrations")[0][0].as<int>();
  // Version 2 gave the copied tables their present columns; later ones only add tables.
  if (version < 2 || version > state_migrations().back().version) {
    return not_taken + "it is at version " + std::to_string(version) + ", not 2 to " +
           std::to_string(state_migrations().back().version) + ".";
  }
  if (auto writers = other_writers(tx, legacy.schema); !writers.empty()) {
    return not_taken + "roles other than its owner could write it (" + joined(writers, ", ") +
           "), so its contents cannot be trusted.";
  }
  // Each table with the rows of the target: its own, its runs', or its runs' run schemas'.
  const std::string of_runs = "exists (select from " + l + ".runs r where r.target = $1 and ";
  struct Copy {
    const char* table;
    std::string rows;
    int since;  // the legacy version that made the table
  };
  const std::vector<Copy> copies = {
      {"runs", "x.target = $1", 1},
      {"run_nodes", of_runs + "r.id = x.run_id)", 1},
      {"artifacts", of_runs + "r.id = x.run_id)", 1},
      {"production_manifests", "x.target = $1", 1},
      {"partial_parse_cache", "x.target = $1", 1},
      {"built_schemas", of_runs + "r.project = x.project and r.run_schema = x.run_schema)", 1},
      {"schema_users", of_runs + "r.project = x.project and r.run_schema = x.run_schema)", 3},
  };
  pqxx::subtransaction copy(tx, "kubedbt legacy state");
  try {
    size_t runs = 0;
    for (const auto& c : copies) {
      if (version < c.since) continue;
      auto copied =
          copy.exec_params(std::string("insert into ") + s + "." + c.table + " select x.* from " +
                               l + "." + c.table + " x where " + c.rows,
                           legacy.target);
      if (std::string(c.table) == "runs") runs = copied.affected_rows();
    }
    copy.exec_params(
        "select setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 0) + 1, "
        "false) from " +
            s + ".runs",
        s + ".runs");
    copy.commit();
    return "Took over the state of target " + legacy.target + " (" + std::to_string(runs) +
           " runs) from the shared schema " + legacy.schema + " into " + schema + ".";
  } catch (const std::exception& e) {
    copy.abort();
    return not_taken + trimmed(e.what()) + ".";
  }
}

}  // namespace

std::vector<std::string> schemas_built_by(const nlohmann::json& manifest,
                                          const std::set<std::string>& executed) {
  std::set<std::string> schemas;
  for (const auto& [unique_id, relation] : built_relations(manifest)) {
    if (executed.count(unique_id)) schemas.insert(relation.schema);
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
    : database_(target.dbname), schema_(std::move(schema)), user_(target.user) {
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

std::vector<int> StateStore::migrate(const std::optional<LegacyState>& legacy) {
  legacy_import_.reset();
  try {
    return apply_state_migrations(connection_->db, schema_, [&](pqxx::dbtransaction& tx) {
      if (legacy) legacy_import_ = import_legacy_state(tx, schema_, *legacy);
    });
  } catch (const StateSchemaOwnerError& e) {
    throw StateStoreError("cannot use the state store " + location() + ": " + e.what());
  } catch (const pqxx::insufficient_privilege& e) {
    throw StateStoreError(
        "cannot prepare the state store " + location() + ": " + trimmed(e.what()) + "; the user " +
        user_ + " creates its target's state schema itself: GRANT CREATE ON DATABASE " +
        sql_name(database_) + " TO " + sql_name(user_) +
        ", or create the schema for it: CREATE SCHEMA " + sql_name(schema_) + " AUTHORIZATION " +
        sql_name(user_) + " (or set spec.state.schema to a prefix it may use)");
  } catch (const std::exception& e) {
    throw StateStoreError("cannot prepare the state store " + location() + ": " +
                          trimmed(e.what()));
  }
}

std::vector<std::string> StateStore::share_production_manifest(
    const std::vector<std::string>& readers) {
  std::vector<std::string> problems;
  pqxx::work tx(connection_->db, "kubedbt state readers");
  const std::string s = tx.quote_name(schema_);
  for (const auto& reader : readers) {
    if (reader == user_) continue;
    const std::string r = tx.quote_name(reader);
    pqxx::subtransaction grant(tx, "kubedbt state reader");
    try {
      // Default privileges or a hand-made grant may have given more; only the manifest stays.
      grant.exec("revoke all on all tables in schema " + s + " from " + r);
      grant.exec("revoke all on all sequences in schema " + s + " from " + r);
      grant.exec("revoke all on schema " + s + " from " + r);
      grant.exec("grant usage on schema " + s + " to " + r);
      grant.exec("grant select (project, target, manifest) on " + s + ".production_manifests to " +
                 r);
      grant.commit();
    } catch (const std::exception& e) {
      grant.abort();
      problems.push_back("Cannot let " + reader + " read the production manifest in " + schema_ +
                         ": " + trimmed(e.what()) + ".");
    }
  }
  tx.commit();
  return problems;
}

std::optional<std::string> StateStore::production_manifest(const std::string& schema,
                                                           const std::string& project,
                                                           const std::string& target,
                                                           const std::string& legacy_schema) {
  pqxx::read_transaction tx(connection_->db);
  auto exists = [&](const std::string& name) {
    return tx.exec_params1("select count(*) from pg_namespace where nspname = $1", name)[0]
               .as<int>() == 1;
  };
  auto read = [&](const std::string& from) -> std::optional<std::string> {
    auto rows = tx.exec_params("select manifest from " + tx.quote_name(from) +
                                   ".production_manifests where project = $1 and target = $2",
                               project, target);
    if (rows.empty()) return std::nullopt;
    return decompress_artifact(pqxx::binarystring(rows[0][0]).str());
  };
  if (exists(schema)) {
    try {
      return read(schema);
    } catch (const pqxx::insufficient_privilege& e) {
      const auto where = sql_name(schema);
      const auto who = sql_name(user_);
      throw StateStoreError(
          "the user " + user_ + " may not read the production manifest of target " + target +
          " in " + database_ + "." + schema + " (" + trimmed(e.what()) + "); a run of target " +
          target +
          " grants it to the database users of the project's other targets, or "
          "by hand: GRANT USAGE ON SCHEMA " +
          where + " TO " + who + "; GRANT SELECT (project, target, manifest) ON " + where +
          ".production_manifests TO " + who);
    }
  }
  if (legacy_schema.empty() || !exists(legacy_schema)) return std::nullopt;
  pqxx::subtransaction legacy(tx, "kubedbt legacy manifest");
  try {
    auto manifest = read(legacy_schema);
    legacy.commit();
    return manifest;
  } catch (const pqxx::sql_error&) {
    legacy.abort();
    return std::nullopt;
  }
}

std::vector<std::string> StateStore::missing_read_grants(const std::vector<Relation>& relations) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : relations) list.push_back({{"schema", r.schema}, {"name", r.name}});
  pqxx::read_transaction tx(connection_->db);
  std::vector<std::string> grants;
  for (const auto& row : tx.exec_params(
           "select n.nspname, bool_or(not has_schema_privilege(n.oid, 'USAGE')), bool_or(c.oid is "
           "not null and not has_table_privilege(c.oid, 'SELECT')) from jsonb_to_recordset($1::"
           "jsonb) as r(schema text, name text) join pg_namespace n on n.nspname = r.schema left "
           "join pg_class c on c.relnamespace = n.oid and c.relname = r.name group by n.nspname "
           "order by n.nspname",
           list.dump())) {
    const auto schema = sql_name(row[0].as<std::string>());
    if (row[1].as<bool>()) {
      grants.push_back("GRANT USAGE ON SCHEMA " + schema + " TO " + sql_name(user_));
    }
    if (row[2].as<bool>()) {
      grants.push_back("GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + sql_name(user_));
    }
  }
  return grants;
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
