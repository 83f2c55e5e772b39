// Migrations run inside one transaction that first takes pg_advisory_xact_lock on the schema's
// name: a second runner waits, then finds every version recorded and applies nothing.
#include "runner/state/state_migrations.h"

#include <pqxx/pqxx>
#include <set>

namespace kubedbt::runner {
namespace {

std::string with_schema(const std::string& sql, const std::string& quoted_schema) {
  std::string out;
  size_t from = 0;
  for (size_t at; (at = sql.find("{S}", from)) != std::string::npos; from = at + 3) {
    out += sql.substr(from, at - from) + quoted_schema;
  }
  return out + sql.substr(from);
}

}  // namespace

const std::vector<StateMigration>& state_migrations() {
  static const std::vector<StateMigration> kMigrations = {
      {1, "runs, nodes, artifacts, production manifests, partial-parse cache, built schemas",
       R"sql(
create table {S}.runs (
  id bigserial primary key,
  project text not null,
  target text not null,
  run_namespace text not null default '',
  run_name text not null default '',
  run_schema text,
  invocation_id text not null default '',
  phase text not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  duration_seconds double precision not null,
  rows_affected bigint not null default 0,
  dbt_version text not null default '',
  commit_sha text not null default '',
  message text not null default ''
);
create index runs_baseline on {S}.runs (project, target, phase, finished_at desc)
  where run_schema is null;

create table {S}.run_nodes (
  run_id bigint not null references {S}.runs (id) on delete cascade,
  unique_id text not null,
  resource_type text not null,
  status text not null,
  execution_seconds double precision not null,
  rows_affected bigint,
  primary key (run_id, unique_id)
);

create table {S}.artifacts (
  run_id bigint not null references {S}.runs (id) on delete cascade,
  name text not null,
  encoding text not null check (encoding in ('zlib', 'identity')),
  size_bytes bigint not null,
  content bytea not null,
  primary key (run_id, name)
);

create table {S}.production_manifests (
  project text not null,
  target text not null,
  run_id bigint not null references {S}.runs (id),
  invocation_id text not null,
  dbt_version text not null,
  manifest bytea not null,
  updated_at timestamptz not null default now(),
  primary key (project, target)
);

create table {S}.partial_parse_cache (
  project text not null,
  target text not null,
  run_schema text not null,
  dbt_version text not null,
  vars_hash text not null,
  content bytea not null,
  saved_at timestamptz not null default now(),
  primary key (project, target, run_schema, dbt_version, vars_hash)
);

create table if not exists {S}.built_schemas (
  project text not null,
  run_schema text not null,
  schema text not null,
  recorded_at timestamptz not null default now(),
  primary key (project, run_schema, schema)
);
)sql"},
      {2, "the production manifest a blue-green swap replaced, for rollback",
       R"sql(
alter table {S}.production_manifests
  add column previous_run_id bigint references {S}.runs (id),
  add column previous_invocation_id text,
  add column previous_dbt_version text,
  add column previous_manifest bytea;
)sql"},
      {3, "the runs that use a run schema, so a clean-up never drops a newer run's schema",
       R"sql(
create table {S}.schema_users (
  project text not null,
  run_schema text not null,
  run_uid text not null,
  run_name text not null,
  registered_at timestamptz not null default now(),
  primary key (project, run_schema, run_uid)
);
)sql"},
  };
  return kMigrations;
}

std::vector<int> apply_state_migrations(
    pqxx::connection_base& connection, const std::string& schema,
    const std::function<void(pqxx::dbtransaction&)>& on_created) {
  std::vector<int> applied;
  pqxx::work tx(connection, "kubedbt state migrations");
  tx.exec_params("select pg_advisory_xact_lock(hashtextextended($1, 0))",
                 "kubedbt-state-migrations:" + schema);
  const std::string s = tx.quote_name(schema);
  auto owner = tx.exec_params(
      "select pg_get_userbyid(nspowner), pg_has_role(nspowner, 'MEMBER'), current_user from "
      "pg_namespace where nspname = $1",
      schema);
  // Created only when missing: a schema a DBA made for the user needs no CREATE on the database.
  if (owner.empty()) {
    tx.exec("create schema " + s);
  } else if (!owner[0][1].as<bool>()) {
    const auto user = owner[0][2].as<std::string>();
    throw StateSchemaOwnerError(
        "the state schema " + schema + " belongs to role " + owner[0][0].as<std::string>() +
        ", not to " + user +
        " (the user of this target), so that role may have written its contents; check and drop "
        "it (DROP SCHEMA " +
        s + " CASCADE), or if it is really this target's state, ALTER SCHEMA " + s + " OWNER TO " +
        tx.quote_name(user));
  }
  tx.exec("create table if not exists " + s +
          ".schema_migrations (version integer primary key, description text not null, "
          "applied_at timestamptz not null default now())");
  std::set<int> done;
  for (const auto& row : tx.exec("select version from " + s + ".schema_migrations")) {
    done.insert(row[0].as<int>());
  }
  for (const auto& m : state_migrations()) {
    if (done.count(m.version)) continue;
    try {
      tx.exec(with_schema(m.sql, s));
    } catch (const std::exception& e) {
      throw std::runtime_error("state store migration " + std::to_string(m.version) + " (" +
                               m.description + ") failed in schema " + schema + ": " + e.what());
    }
    tx.exec_params("insert into " + s + ".schema_migrations (version, description) values ($1, $2)",
                   m.version, m.description);
    applied.push_back(m.version);
  }
  if (done.empty() && on_created) on_created(tx);
  tx.commit();
  return applied;
}

}  // namespace kubedbt::runner
