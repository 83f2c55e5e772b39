// drop-schema: under the run schema's lock, release this run's use of it; the last user's clean-up
// reads what was recorded, refuses anything protected, and drops all in one transaction.
#include "runner/deploy/drop_schema.h"

#include <algorithm>
#include <cctype>
#include <pqxx/pqxx>

#include "common/log.h"
#include "runner/postgres/connection_string.h"
#include "runner/postgres/target_lock.h"
#include "runner/state/schema_users.h"

namespace kubedbt::runner {
namespace {

// Longest wait for a run building the schema: well inside the clean-up Job's 600 s deadline, so
// a long build fails the clean-up with this reason, and the operator retries it later.
constexpr std::chrono::seconds kMaxLockWait{300};

bool is_identifier(const std::string& s) {
  if (s.empty() || s.size() > 63 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// `schema` is `owner` or one of its dbt custom schemas (<owner>_<custom>).
bool belongs_to(const std::string& schema, const std::string& owner) {
  return schema == owner || schema.rfind(owner + "_", 0) == 0;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// `schemas` as a comma-separated list of quoted SQL literals, for an IN (...).
std::string quoted_list(pqxx::transaction_base& tx, const std::vector<std::string>& schemas) {
  std::string list;
  for (const auto& schema : schemas) list += (list.empty() ? "" : ", ") + tx.quote(schema);
  return list;
}

// Relations outside `schemas` that depend on relations inside them (a view over a CI table, a
// foreign key to one), as "schema.name (kind)": CASCADE would drop or break them. The names are
// checked identifiers, quoted by the server connection.
std::vector<std::string> foreign_dependents(pqxx::transaction_base& tx,
                                            const std::vector<std::string>& schemas) {
  const std::string list = quoted_list(tx, schemas);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(
           "select distinct dn.nspname || '.' || dc.relname || ' (' || case dc.relkind "
           "when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' "
           "else 'table' end || ')' "
           "from pg_depend d "
           "join pg_class rc on d.deptype = 'n' and d.refclassid = 'pg_class'::regclass and "
           "  rc.oid = d.refobjid "
           "join pg_namespace rn on rn.oid = rc.relnamespace and rn.nspname in (" +
           list +
           ") "
           "left join pg_rewrite rw on d.classid = 'pg_rewrite'::regclass and rw.oid = d.objid "
           "left join pg_constraint co on d.classid = 'pg_constraint'::regclass and co.oid = "
           "d.objid "
           "join pg_class dc on dc.oid = coalesce(rw.ev_class, co.conrelid, "
           "  case when d.classid = 'pg_class'::regclass then d.objid end) "
           "join pg_namespace dn on dn.oid = dc.relnamespace and dn.nspname not in (" +
           list +
           ") "
           "order by 1")) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

// Relations and functions inside `schemas` owned by a role that is neither the session's user nor
// one it is a member of (memberships only: a superuser's bypass does not count). kubedbt did not
// create them, so CASCADE must not take them: "schema.name (kind, owner role)".
std::vector<std::string> foreign_owned(pqxx::transaction_base& tx,
                                       const std::vector<std::string>& schemas) {
  const std::string list = quoted_list(tx, schemas);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(
           "with recursive mine(oid) as (select oid from pg_roles where rolname = current_user "
           "  union select m.roleid from pg_auth_members m join mine on m.member = mine.oid), "
           "owned(name, owner) as ("
           "  select n.nspname || '.' || c.relname || ' (' || case c.relkind when 'v' then 'view' "
           "    when 'm' then 'materialized view' when 'f' then 'foreign table' "
           "    when 'S' then 'sequence' else 'table' end, c.relowner "
           "  from pg_class c join pg_namespace n on n.oid = c.relnamespace "
           "  where n.nspname in (" +
           list +
           ") and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') "
           "  union all select n.nspname || '.' || p.proname || ' (function', p.proowner "
           "  from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
           "  where n.nspname in (" +
           list +
           ")) "
           "select distinct name || ', owner ' || pg_get_userbyid(owner) || ')' from owned "
           "where owner not in (select oid from mine) order by 1")) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

}  // namespace

std::vector<std::string> schemas_to_drop(const std::string& run_schema,
                                         const std::vector<std::string>& recorded,
                                         const std::vector<std::string>& protected_schemas) {
  std::vector<std::string> out{run_schema};
  for (const auto& schema : recorded) {
    if (std::find(out.begin(), out.end(), schema) == out.end()) out.push_back(schema);
  }
  for (const auto& schema : out) {
    if (!is_identifier(schema)) {
      throw DropSchemaError("refusing to drop schema \"" + schema +
                            "\": not a plain schema name; nothing was dropped");
    }
    for (const auto& owner : protected_schemas) {
      if (belongs_to(schema, owner)) {
        throw DropSchemaError(
            "refusing to drop schema " + schema + ": it is protected schema " + owner +
            (schema == owner ? "" : " or one of its custom schemas") +
            ", which a CI run's clean-up never drops; nothing was dropped. Drop the CI run's "
            "schemas by hand if they are really yours, then remove the finalizer");
      }
    }
  }
  return out;
}

DropOutcome drop_run_schemas(const RunSpec& spec, const std::string& password,
                             std::vector<std::string> protected_schemas) {
  if (!spec.schema) {
    throw DropSchemaError(
        "the run spec has no \"schema\": only a run's own schema is dropped, "
        "never the schema of target " +
        spec.target.name);
  }
  protected_schemas.push_back(spec.target.schema);
  // A run building the schema holds this lock for its whole run: the clean-up waits for it.
  std::unique_ptr<TargetLock> lock;
  try {
    lock = TargetLock::acquire(run_target(spec), password, std::min(spec.lock_wait, kMaxLockWait),
                               [] { return false; });
  } catch (const LockError& e) {
    throw DropSchemaError("cannot drop schema " + *spec.schema +
                          " now: another run is building it, or its lock cannot be taken (" +
                          trimmed(e.what()) +
                          "); nothing was dropped, and the clean-up is retried");
  }
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = std::make_unique<pqxx::connection>(
        connection_string(spec.target, password, "kubedbt-runner drop-schema"));
  } catch (const std::exception& e) {
    throw DropSchemaError("cannot connect to database " + spec.target.dbname + " at " +
                          spec.target.host + ":" + std::to_string(spec.target.port) + " as " +
                          spec.target.user + " to drop schema " + *spec.schema + ": " +
                          trimmed(e.what()));
  }
  try {
    pqxx::work tx(*connection);
    DropOutcome outcome;
    SchemaUser user{spec.project, *spec.schema, spec.run ? spec.run->uid : "",
                    spec.run ? spec.run->name : ""};
    outcome.still_used_by = release_schema_user(tx, spec.state.schema, user);
    if (!outcome.still_used_by.empty()) {
      tx.commit();
      log::info("the run schema is still used by other runs; nothing was dropped",
                {{"project", spec.project},
                 {"runSchema", *spec.schema},
                 {"usedBy", nlohmann::json(outcome.still_used_by)}});
      return outcome;
    }
    const std::string table = tx.quote_name(spec.state.schema) + ".built_schemas";
    bool has_table = tx.exec_params1("select to_regclass($1) is not null", table)[0].as<bool>();
    std::vector<std::string> recorded;
    if (has_table) {
      for (const auto& row : tx.exec_params("select schema from " + table +
                                                " where project = $1 and run_schema = $2 "
                                                "order by schema",
                                            spec.project, *spec.schema)) {
        recorded.push_back(row[0].as<std::string>());
      }
    }
    auto schemas = schemas_to_drop(*spec.schema, recorded, protected_schemas);
    if (auto dependents = foreign_dependents(tx, schemas); !dependents.empty()) {
      std::string names;
      for (const auto& d : dependents) names += (names.empty() ? "" : ", ") + d;
      throw DropSchemaError(
          "refusing to drop the run's schemas: objects outside them depend on "
          "their tables, and dropping would take those with them: " +
          names +
          "; nothing was dropped. Drop or repoint those objects, then the "
          "clean-up is retried; or keep the schemas and remove the finalizer");
    }
    if (auto others = foreign_owned(tx, schemas); !others.empty()) {
      std::string names;
      for (const auto& o : others) names += (names.empty() ? "" : ", ") + o;
      throw DropSchemaError(
          "refusing to drop the run's schemas: they hold objects another role created, which "
          "kubedbt did not make and dropping would take with them: " +
          names +
          "; nothing was dropped. Move or drop those objects, then the clean-up is retried; or "
          "keep the schemas and remove the finalizer");
    }
    // CASCADE now reaches only objects of the run's user inside the run's own schemas.
    for (const auto& schema : schemas) {
      tx.exec0("drop schema if exists " + tx.quote_name(schema) + " cascade");
    }
    if (has_table) {
      tx.exec_params0("delete from " + table + " where project = $1 and run_schema = $2",
                      spec.project, *spec.schema);
    }
    tx.commit();
    log::info("dropped the run's schemas",
              {{"project", spec.project}, {"runSchema", *spec.schema}, {"count", schemas.size()}});
    outcome.dropped = std::move(schemas);
    return outcome;
  } catch (const DropSchemaError&) {
    throw;
  } catch (const std::exception& e) {
    throw DropSchemaError("cannot drop schema " + *spec.schema + " in database " +
                          spec.target.dbname + ": " + trimmed(e.what()) + "; nothing was dropped");
  }
}

}  // namespace kubedbt::runner
