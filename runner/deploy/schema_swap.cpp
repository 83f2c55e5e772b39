// Each swap is one transaction: locks first, then owners, grants and comments, then renames. Any
// failure (a lock timeout included) rolls all of it back, and a client that dies mid-way leaves
// an open transaction the server aborts, so production is never half-swapped.
#include "runner/deploy/schema_swap.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>

#include "common/log.h"

namespace kubedbt::runner {
namespace {

// Comment of a backup schema: this prefix, then {"production": ..., "target": ...}.
constexpr const char* kBackupComment = "kubedbt:previous ";
// A production schema's name for the instant of a rollback's three-way rename.
constexpr const char* kSwappingSuffix = "__kubedbt_swapping";
constexpr int kDeadlockAttempts = 3;

// What a transaction is doing now, for the message of a failure.
struct Step {
  std::string doing;
  std::string relation;  // the relation being locked, when it is a lock
};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string qualified(pqxx::transaction_base& tx, const std::string& schema,
                      const std::string& name) {
  return tx.quote_name(schema) + "." + tx.quote_name(name);
}

bool schema_exists(pqxx::transaction_base& tx, const std::string& schema) {
  return !tx.exec_params("select 1 from pg_namespace where nspname = $1", schema).empty();
}

// Who holds a lock on `relation` now (after our transaction gave up): "pid 42 (psql, idle in
// transaction)".
std::string lock_holders(pqxx::connection& connection, const std::string& relation) {
  try {
    pqxx::nontransaction tx(connection);
    auto rows = tx.exec_params(
        "select distinct a.pid, coalesce(nullif(a.application_name, ''), 'no application name'), "
        "coalesce(a.state, '') from pg_locks l join pg_stat_activity a on a.pid = l.pid "
        "where l.granted and l.relation = to_regclass($1) and l.pid <> pg_backend_pid() "
        "order by 1",
        relation);
    std::vector<std::string> holders;
    for (const auto& row : rows) {
      holders.push_back("pid " + row[0].as<std::string>() + " (" + row[1].as<std::string>() + ", " +
                        row[2].as<std::string>() + ")");
    }
    return joined(holders);
  } catch (const std::exception&) {
    return "";
  }
}

// Runs `body` in one transaction with SET LOCAL lock_timeout; retries when the deadlock detector
// chose it (a reader locked production relations in another order), then throws SwapError.
template <typename Body>
void in_one_transaction(pqxx::connection& connection, const SwapSettings& settings,
                        const std::string& what, Body body) {
  for (int attempt = 1;; ++attempt) {
    Step step{"starting the transaction", ""};
    try {
      pqxx::work tx(connection, "kubedbt-swap");
      tx.exec0("set local lock_timeout = " + std::to_string(settings.lock_timeout.count()));
      body(tx, step);
      step = {"committing", ""};
      tx.commit();
      return;
    } catch (const pqxx::in_doubt_error& e) {
      throw SwapError(
          what + ": the connection was lost while committing, so PostgreSQL either " +
          "applied all of it or none of it; look at the schemas before running again (" +
          trimmed(e.what()) + ")");
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() == "40P01" && attempt < kDeadlockAttempts) {
        log::warn("schema swap chosen by the deadlock detector; trying again",
                  {{"what", what}, {"step", step.doing}, {"attempt", attempt}});
        continue;
      }
      if (e.sqlstate() == "55P03") {
        std::string holders = step.relation.empty() ? "" : lock_holders(connection, step.relation);
        throw SwapError(what + " gave up after waiting " +
                        std::to_string(settings.lock_timeout.count() / 1000) +
                        "s for a lock while " + step.doing +
                        (holders.empty() ? "" : ", held by " + holders) + "; nothing was changed");
      }
      throw SwapError(what + " failed while " + step.doing + ": " + trimmed(e.what()) +
                      "; nothing was changed");
    } catch (const pqxx::broken_connection& e) {
      throw SwapError(what + " lost its connection while " + step.doing + " (" + trimmed(e.what()) +
                      "); nothing was changed");
    }
  }
}

const char* relation_keyword(const std::string& relkind) {
  if (relkind == "v") return "view";
  if (relkind == "m") return "materialized view";
  if (relkind == "S") return "sequence";
  if (relkind == "f") return "foreign table";
  return "table";
}

// Takes ACCESS EXCLUSIVE on every relation readers can name in `schema`, one statement each so a
// lock timeout names the relation. A reader then sees either every old relation or every new one:
// it waits on the first production relation it names until the swap commits, and then PostgreSQL
// looks the name up again. Views, materialized views and foreign tables are locked by an owner
// change to their own owner (a no-op taking ACCESS EXCLUSIVE on that relation alone): LOCK TABLE
// refuses materialized views and foreign tables, and on a view it also locks every relation the
// view reads, raw sources included, and would wait on loaders.
void lock_relations(pqxx::transaction_base& tx, const std::string& schema, Step& step) {
  auto rows = tx.exec_params(
      "select c.relname, c.relkind, quote_ident(pg_get_userbyid(c.relowner)) from pg_class c "
      "join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 "
      "and c.relkind in ('r', 'p', 'm', 'f', 'v') order by c.relname",
      schema);
  for (const auto& row : rows) {
    auto relation = qualified(tx, schema, row[0].as<std::string>());
    step = {"locking production relation " + schema + "." + row[0].as<std::string>(), relation};
    auto kind = row[1].as<std::string>();
    if (kind == "r" || kind == "p") {
      tx.exec0("lock table only " + relation + " in access exclusive mode");
    } else {
      tx.exec0(std::string("alter ") + relation_keyword(kind) + " " + relation + " owner to " +
               row[2].as<std::string>());
    }
  }
}

std::string grant_statement(const pqxx::row& acl, const std::string& object) {
  return "grant " + acl["privilege_type"].as<std::string>() + " on " + object + " to " +
         acl["grantee"].as<std::string>() +
         (acl["is_grantable"].as<bool>() ? " with grant option" : "");
}

// ACL entries of aclexplode() with the grantee as SQL text (PUBLIC for oid 0).
constexpr const char* kAclColumns =
    "a.privilege_type, a.is_grantable, case when a.grantee = 0 then 'public' "
    "else quote_ident(pg_get_userbyid(a.grantee)) end as grantee";

// Gives `to` what readers rely on in `from`: the schema's owner, grants and comment, and the owner
// and grants of each relation of the same name. Grants are added; none of `to` is revoked.
void carry_over_access(pqxx::transaction_base& tx, const std::string& from, const std::string& to,
                       Step& step) {
  step = {"copying the owner, grants and comment of schema " + from + " to " + to, ""};
  auto schema = tx.exec_params1(
      "select quote_ident(pg_get_userbyid(p.nspowner)), p.nspowner <> s.nspowner, "
      "obj_description(p.oid, 'pg_namespace') from pg_namespace p, pg_namespace s "
      "where p.nspname = $1 and s.nspname = $2",
      from, to);
  const auto to_name = tx.quote_name(to);
  if (schema[1].as<bool>()) tx.exec0("alter schema " + to_name + " owner to " + schema[0].c_str());
  for (const auto& acl : tx.exec_params(std::string("select ") + kAclColumns +
                                            " from pg_namespace n, aclexplode(n.nspacl) a "
                                            "where n.nspname = $1",
                                        from)) {
    tx.exec0(grant_statement(acl, "schema " + to_name));
  }
  // A production schema without a comment gives `to` none, so a backup marker never follows a
  // backup back into production.
  tx.exec0("comment on schema " + to_name + " is " +
           (schema[2].is_null() ? std::string("null") : tx.quote(schema[2].as<std::string>())));

  // Relations of the same name in both schemas (a sequence only matches a sequence).
  const std::string same_relations =
      " from pg_class p join pg_namespace pn on pn.oid = p.relnamespace and pn.nspname = $1 "
      "join pg_class s on s.relname = p.relname and (s.relkind = 'S') = (p.relkind = 'S') "
      "join pg_namespace sn on sn.oid = s.relnamespace and sn.nspname = $2 ";
  const std::string both_relations =
      " p.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and s.relkind in ('r', 'p', 'v', 'm', 'f', "
      "'S')";
  for (const auto& row :
       tx.exec_params("select s.relname, s.relkind, quote_ident(pg_get_userbyid(p.relowner))" +
                          same_relations + "where p.relowner <> s.relowner and" + both_relations,
                      from, to)) {
    tx.exec0(std::string("alter ") + relation_keyword(row[1].as<std::string>()) + " " +
             qualified(tx, to, row[0].as<std::string>()) + " owner to " + row[2].c_str());
  }
  for (const auto& row :
       tx.exec_params("select s.relname, s.relkind, " + std::string(kAclColumns) + same_relations +
                          "cross join lateral aclexplode(p.relacl) a where" + both_relations,
                      from, to)) {
    auto keyword = row["relkind"].as<std::string>() == "S" ? "sequence " : "table ";
    tx.exec0(grant_statement(row, keyword + qualified(tx, to, row["relname"].as<std::string>())));
  }
}

// `built` lists the keys (SchemaObject::key) of the build production holds now, so a rollback
// knows which of production's objects belong to that build and which it must leave in production;
// `backup` those of the objects the backup holds, the only ones a drop of the backup drops.
std::string backup_comment(const std::string& production, const std::string& target_key,
                           const std::vector<std::string>& built,
                           const std::vector<std::string>& backup) {
  return kBackupComment + nlohmann::json{{"production", production},
                                         {"target", target_key},
                                         {"built", built},
                                         {"backup", backup}}
                              .dump();
}

// The backup marker in a schema comment (null when it is not one).
nlohmann::json backup_marker(const std::string& comment) {
  if (comment.rfind(kBackupComment, 0) != 0) return nullptr;
  auto marker =
      nlohmann::json::parse(comment.substr(std::string(kBackupComment).size()), nullptr, false);
  return marker.is_object() ? marker : nullptr;
}

// The keys a marker lists under `field`, or nullopt when it lists none (made by an older runner).
std::optional<std::set<std::string>> marker_keys(const nlohmann::json& marker, const char* field) {
  if (!marker.is_object()) return std::nullopt;
  auto list = marker.find(field);
  if (list == marker.end() || !list->is_array()) return std::nullopt;
  std::set<std::string> out;
  for (const auto& key : *list) {
    if (key.is_string()) out.insert(key.get<std::string>());
  }
  return out;
}

void rename_schema(pqxx::transaction_base& tx, const std::string& from, const std::string& to,
                   Step& step) {
  step = {"renaming schema " + from + " to " + to, ""};
  tx.exec0("alter schema " + tx.quote_name(from) + " rename to " + tx.quote_name(to));
}

// One object directly in a schema (a relation, routine, type, ...), named as PostgreSQL names it.
struct SchemaObject {
  std::string class_id;  // the catalog holding it (pg_class, pg_proc, pg_type, ...), as an oid
  std::string oid;
  std::string type;      // pg_identify_object's type: table, view, materialized view, function, ...
  std::string identity;  // schema-qualified and quoted: analytics.fct_orders, analytics.f(integer)
  std::string key;       // the identity without the schema: the same in production and staging
  bool extension_member = false;
};

// Kinds of object a swap carries from production into the new production schema with ALTER ...
// SET SCHEMA, and a backup drops one kind at a time.
const std::set<std::string> kMovableTypes = {"table",         "view",      "materialized view",
                                             "foreign table", "sequence",  "function",
                                             "procedure",     "aggregate", "type"};

// Every object that lives directly in `schema`, except those that go with another object (a
// column's sequence, an array type). Empty when the schema does not exist.
std::vector<SchemaObject> schema_objects(pqxx::transaction_base& tx, const std::string& schema) {
  std::vector<SchemaObject> out;
  for (const auto& row : tx.exec_params(
           "select d.classid::oid::text, d.objid::text, i.type, i.identity, "
           "substr(i.identity, length(quote_ident(n.nspname)) + 2), "
           "exists (select 1 from pg_depend e where e.classid = d.classid and e.objid = d.objid "
           "and e.deptype = 'e') "
           "from pg_namespace n join pg_depend d on d.refclassid = 'pg_namespace'::regclass and "
           "d.refobjid = n.oid and d.deptype = 'n' "
           "cross join lateral pg_identify_object(d.classid, d.objid, 0) i "
           "where n.nspname = $1 and not exists (select 1 from pg_depend o where o.classid = "
           "d.classid and o.objid = d.objid and o.objsubid = 0 and o.deptype in ('a', 'i')) "
           "order by i.identity",
           schema)) {
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<bool>()});
  }
  return out;
}

std::string oid_array(const std::vector<std::string>& oids) {
  std::string out = "{";
  for (const auto& oid : oids) out += (out.size() > 1 ? "," : "") + oid;
  return out + "}";
}

// Objects outside `leaving` that depend on an object of it (its columns, row type or array type
// included), one line each: "view bi.orders (owner bi) on analytics.fct_orders". PostgreSQL ties
// a view, a foreign key or a function to the object, not to its name, so these would follow the
// object wherever it goes, or be dropped with it.
std::vector<std::string> outside_dependents(pqxx::transaction_base& tx,
                                            const std::vector<SchemaObject>& leaving) {
  if (leaving.empty()) return {};
  std::vector<std::string> classes, oids;
  for (const auto& object : leaving) {
    classes.push_back(object.class_id);
    oids.push_back(object.oid);
  }
  std::vector<std::string> out;
  for (const auto& row : tx.exec_params(
           "with leaving as (select * from unnest($1::oid[], $2::oid[]) as l(class, oid)), "
           "types as ("
           "  select c.reltype as oid, l.class, l.oid as top from leaving l "
           "  join pg_class c on l.class = 'pg_class'::regclass and c.oid = l.oid "
           "  where c.reltype <> 0 "
           "  union all select l.oid, l.class, l.oid from leaving l "
           "  where l.class = 'pg_type'::regclass), "
           "referenced as ("
           "  select l.class as ref_class, l.oid as ref, l.class as top_class, l.oid as top "
           "  from leaving l "
           "  union all select 'pg_type'::regclass, t.oid, t.class, t.top from types t "
           "  union all select 'pg_type'::regclass, pt.typarray, t.class, t.top from types t "
           "  join pg_type pt on pt.oid = t.oid where pt.typarray <> 0), "
           "dependents as ("
           "  select distinct r.top_class, r.top, "
           "  case when owner.relation is null then d.classid "
           "  else 'pg_class'::regclass::oid end as class, "
           "  coalesce(owner.relation, d.objid) as object "
           "  from pg_depend d join referenced r on d.refclassid = r.ref_class and "
           "  d.refobjid = r.ref "
           "  cross join lateral (select case d.classid "
           "    when 'pg_rewrite'::regclass then "
           "      (select ev_class from pg_rewrite where oid = d.objid) "
           "    when 'pg_constraint'::regclass then "
           "      (select nullif(conrelid, 0) from pg_constraint where oid = d.objid) "
           "    when 'pg_attrdef'::regclass then "
           "      (select adrelid from pg_attrdef where oid = d.objid) "
           "    when 'pg_trigger'::regclass then "
           "      (select tgrelid from pg_trigger where oid = d.objid) "
           "    when 'pg_policy'::regclass then "
           "      (select polrelid from pg_policy where oid = d.objid) end as relation) owner "
           "  where d.deptype = 'n') "
           "select i.type || ' ' || i.identity || coalesce(' (owner ' || pg_get_userbyid("
           "  case dp.class when 'pg_class'::regclass then "
           "    (select relowner from pg_class where oid = dp.object) "
           "  when 'pg_proc'::regclass then (select proowner from pg_proc where oid = dp.object) "
           "  when 'pg_type'::regclass then (select typowner from pg_type where oid = dp.object) "
           "  end) || ')', '') || ' on ' || string_agg(distinct t.identity, ', ') "
           "from dependents dp "
           "cross join lateral pg_identify_object(dp.class, dp.object, 0) i "
           "cross join lateral pg_identify_object(dp.top_class, dp.top, 0) t "
           "where (dp.class, dp.object) not in (select class, oid from leaving) "
           "group by i.type, i.identity, dp.class, dp.object order by 1",
           oid_array(classes), oid_array(oids))) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

std::vector<std::string> keys(const std::vector<SchemaObject>& objects) {
  std::vector<std::string> out;
  for (const auto& object : objects) out.push_back(object.key);
  return out;
}

std::string identities(const std::vector<SchemaObject>& objects) {
  std::vector<std::string> names;
  for (const auto& object : objects) names.push_back(object.type + " " + object.identity);
  return joined(names);
}

// Drops a schema only kubedbt built (a backup, or a leftover staging schema) without CASCADE:
// refuses (SwapError, naming them) when anything outside it depends on its objects or when it
// holds an object of a kind a build never makes; then drops views and materialized views readers
// first, then the other objects one kind per statement, then the empty schema.
void drop_built_schema(pqxx::transaction_base& tx, const std::string& schema, Step& step) {
  if (!schema_exists(tx, schema)) return;
  step = {"checking what depends on schema " + schema, ""};
  auto comment = tx.exec_params1(
      "select coalesce(obj_description(oid, 'pg_namespace'), '') from pg_namespace "
      "where nspname = $1",
      schema)[0];
  // A backup lists what the swap put into it; in one made before backups listed it, an object
  // production no longer has may be someone's table that swap moved there, so it is not dropped.
  // A staging schema holds only what dbt built.
  auto marker = backup_marker(comment.as<std::string>());
  auto built = marker_keys(marker, "backup");
  if (marker.is_object() && !built) {
    auto production = keys(schema_objects(tx, marker.value("production", "")));
    built.emplace(production.begin(), production.end());
  }
  auto objects = schema_objects(tx, schema);
  std::vector<SchemaObject> foreign;
  for (const auto& object : objects) {
    if (object.extension_member || !kMovableTypes.count(object.type) ||
        (built && !built->count(object.key))) {
      foreign.push_back(object);
    }
  }
  if (!foreign.empty()) {
    throw SwapError("schema " + schema + " holds objects no kubedbt build put there, which " +
                    "kubedbt does not drop: " + identities(foreign) + "; move them to a schema " +
                    "of their own (ALTER ... SET SCHEMA) or drop them, then run again; the " +
                    "schema is kept");
  }
  if (auto dependents = outside_dependents(tx, objects); !dependents.empty()) {
    throw SwapError("schema " + schema + " cannot be dropped: objects outside it depend on its " +
                    "relations and kubedbt never drops them with CASCADE: " + joined(dependents) +
                    "; drop them or point them at the production schema, then run again; the " +
                    "schema is kept");
  }
  step = {"dropping the views of schema " + schema, ""};
  for (const auto& row : tx.exec_params(
           "with recursive views as (select c.oid from pg_class c join pg_namespace n on n.oid = "
           "c.relnamespace where n.nspname = $1 and c.relkind in ('v', 'm')), "
           "reads as (select distinct r.ev_class as reader, d.refobjid as read from pg_rewrite r "
           "join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and "
           "d.refclassid = 'pg_class'::regclass where r.ev_class in (select oid from views) and "
           "d.refobjid in (select oid from views) and d.refobjid <> r.ev_class), "
           "depth(oid, n) as (select oid, 0 from views union all select reads.read, depth.n + 1 "
           "from depth join reads on reads.reader = depth.oid) "
           "select i.type, i.identity from depth "
           "cross join lateral pg_identify_object('pg_class'::regclass, depth.oid, 0) i "
           "group by depth.oid, i.type, i.identity order by max(depth.n), i.identity",
           schema)) {
    tx.exec0("drop " + row[0].as<std::string>() + " " + row[1].as<std::string>());
  }
  // One statement per kind, so objects of one kind that depend on each other (foreign keys
  // between tables) go together; dependents' kinds first.
  for (const auto& [kind, types] : std::vector<std::pair<std::string, std::set<std::string>>>{
           {"table", {"table"}},
           {"foreign table", {"foreign table"}},
           {"sequence", {"sequence"}},
           {"aggregate", {"aggregate"}},
           {"routine", {"function", "procedure"}},
           {"type", {"type"}}}) {
    std::vector<std::string> names;
    for (const auto& object : objects) {
      if (types.count(object.type)) names.push_back(object.identity);
    }
    if (names.empty()) continue;
    step = {"dropping the " + kind + "s of schema " + schema, ""};
    tx.exec0("drop " + kind + " " + joined(names));
  }
  step = {"dropping schema " + schema, ""};
  tx.exec0("drop schema " + tx.quote_name(schema));
}

// A production schema's objects as a swap treats them: the build's go with the schema into the
// backup; the others (a team's own table, a foreign table, a relation of a model since deleted)
// are not the build's to replace, so they move into the schema that becomes production.
struct ProductionSplit {
  std::vector<SchemaObject> replaced;
  std::vector<SchemaObject> carried;
  std::vector<SchemaObject> unmovable;  // not the build's and of a kind kubedbt does not move
};

// `built`: keys of the build the schema holds.
ProductionSplit split_production(pqxx::transaction_base& tx, const std::string& production,
                                 const std::set<std::string>& built) {
  ProductionSplit split;
  for (auto& object : schema_objects(tx, production)) {
    if (built.count(object.key)) {
      split.replaced.push_back(std::move(object));
    } else if (object.extension_member || !kMovableTypes.count(object.type)) {
      split.unmovable.push_back(std::move(object));
    } else {
      split.carried.push_back(std::move(object));
    }
  }
  return split;
}

// Refuses (SwapError, production untouched) a swap that would take objects it does not own with
// it: objects it cannot carry, and dependents of the replaced objects outside them.
void check_splits(pqxx::transaction_base& tx, const std::vector<ProductionSplit>& splits,
                  const std::string& what, Step& step) {
  step = {"checking what depends on the production objects " + what + " replaces", ""};
  std::vector<SchemaObject> replaced, unmovable;
  for (const auto& split : splits) {
    replaced.insert(replaced.end(), split.replaced.begin(), split.replaced.end());
    unmovable.insert(unmovable.end(), split.unmovable.begin(), split.unmovable.end());
  }
  if (!unmovable.empty()) {
    throw SwapError("production holds objects the build does not make and kubedbt cannot carry " +
                    std::string("into the new production schema: ") + identities(unmovable) +
                    "; move them to a schema of their own (ALTER ... SET SCHEMA), then run " +
                    "again; nothing was changed");
  }
  if (auto dependents = outside_dependents(tx, replaced); !dependents.empty()) {
    throw SwapError(
        "objects outside the build depend on production relations " + what + " replaces: " +
        joined(dependents) + ". PostgreSQL binds them to the relation, not its name, so they " +
        "would follow it into the backup and serve stale data; drop them before the swap and " +
        "recreate them after it, make them models of this project, or use the Direct " +
        "strategy; nothing was changed");
  }
}

// Moves the objects production keeps into `to`, the schema about to become production.
void carry(pqxx::transaction_base& tx, const ProductionSplit& split, const std::string& to,
           Step& step) {
  for (const auto& object : split.carried) {
    step = {"moving " + object.type + " " + object.identity +
                " (not built by the project) into the new production schema",
            ""};
    tx.exec0("alter " + object.type + " " + object.identity + " set schema " + tx.quote_name(to));
  }
}

}  // namespace

void drop_staging_schemas(pqxx::connection& connection, const std::vector<std::string>& schemas) {
  for (const auto& schema : schemas) {
    if (schema.find(kStagingMarker) == std::string::npos) {
      throw SwapError("refusing to drop schema \"" + schema + "\" as a staging schema: its name " +
                      "does not contain \"" + kStagingMarker + "\"");
    }
  }
  SwapSettings settings;
  for (const auto& schema : schemas) {
    in_one_transaction(connection, settings, "dropping leftover staging schema " + schema,
                       [&](pqxx::work& tx, Step& step) { drop_built_schema(tx, schema, step); });
  }
}

void check_staged_relations(pqxx::connection& connection,
                            const std::vector<StagedRelation>& expected) {
  pqxx::read_transaction tx(connection);
  std::vector<std::string> missing;
  for (const auto& r : expected) {
    auto found = tx.exec_params(
        "select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = $1 and c.relname = $2",
        r.schema, r.name);
    if (found.empty()) missing.push_back(r.node + " (" + r.schema + "." + r.name + ")");
  }
  if (missing.empty()) return;
  size_t shown = std::min<size_t>(missing.size(), 5);
  std::vector<std::string> head(missing.begin(), missing.begin() + shown);
  throw SwapError("the staging build lacks " + std::to_string(missing.size()) +
                  " relation(s) the project defines: " + joined(head) +
                  (shown < missing.size() ? ", ..." : "") +
                  "; a BlueGreen run's commands must build every model, seed and snapshot (for "
                  "example [\"build\"]), or production would lose them");
}

std::vector<std::string> carry_over_history(pqxx::connection& connection,
                                            const std::vector<StagedRelation>& relations,
                                            const SwapSettings& settings) {
  std::vector<std::string> copied;
  in_one_transaction(
      connection, settings, "copying history into staging", [&](pqxx::work& tx, Step& step) {
        copied.clear();
        for (const auto& r : relations) {
          auto kind = tx.exec_params(
              "select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace "
              "where n.nspname = $1 and c.relname = $2",
              r.production_schema, r.production_name);
          if (kind.empty() || kind[0][0].as<std::string>() != "r") continue;
          auto from = qualified(tx, r.production_schema, r.production_name);
          auto to = qualified(tx, r.schema, r.name);
          step = {"copying " + r.production_schema + "." + r.production_name + " into " + r.schema +
                      "." + r.name,
                  from};
          tx.exec0("create schema if not exists " + tx.quote_name(r.schema));
          tx.exec0("create table " + to + " (like " + from + " including all)");
          tx.exec0("insert into " + to + " select * from " + from);
          copied.push_back(r.node);
        }
      });
  return copied;
}

PromotionResult promote_staging(pqxx::connection& connection, const std::vector<SchemaPair>& pairs,
                                const SwapSettings& settings) {
  PromotionResult result;
  in_one_transaction(connection, settings, "the blue-green swap", [&](pqxx::work& tx, Step& step) {
    result = {};
    std::map<std::string, bool> production_exists;
    for (const auto& pair : pairs) {
      if (!schema_exists(tx, pair.staging)) {
        throw SwapError("staging schema " + pair.staging + " (for " + pair.production +
                        ") does not exist; nothing was changed");
      }
      production_exists[pair.production] = schema_exists(tx, pair.production);
    }
    for (const auto& pair : pairs) {
      if (production_exists[pair.production]) lock_relations(tx, pair.production, step);
    }
    for (const auto& pair : pairs) drop_built_schema(tx, pair.previous, step);
    std::vector<std::vector<std::string>> built;  // per pair: what the staging build holds
    std::vector<ProductionSplit> splits;
    for (const auto& pair : pairs) {
      built.push_back(keys(schema_objects(tx, pair.staging)));
      std::set<std::string> staged(built.back().begin(), built.back().end());
      splits.push_back(split_production(tx, pair.production, staged));
    }
    check_splits(tx, splits, "the swap", step);
    for (size_t i = 0; i < pairs.size(); ++i) {
      const auto& pair = pairs[i];
      if (!production_exists[pair.production]) continue;
      carry(tx, splits[i], pair.staging, step);
      carry_over_access(tx, pair.production, pair.staging, step);
    }
    for (size_t i = 0; i < pairs.size(); ++i) {
      const auto& pair = pairs[i];
      if (production_exists[pair.production]) {
        rename_schema(tx, pair.production, pair.previous, step);
        tx.exec0("comment on schema " + tx.quote_name(pair.previous) + " is " +
                 tx.quote(backup_comment(pair.production, settings.target_key, built[i],
                                         keys(splits[i].replaced))));
        result.previous.push_back(pair.previous);
      }
      rename_schema(tx, pair.staging, pair.production, step);
      result.swapped.push_back(pair.production);
    }
  });
  return result;
}

void drop_previous(pqxx::connection& connection, const std::vector<std::string>& previous,
                   const SwapSettings& settings) {
  in_one_transaction(connection, settings, "dropping the previous production schemas",
                     [&](pqxx::work& tx, Step& step) {
                       for (const auto& schema : previous) drop_built_schema(tx, schema, step);
                     });
}

std::vector<SchemaPair> swap_with_previous(
    pqxx::connection& connection, const SwapSettings& settings,
    const std::function<void(pqxx::transaction_base&)>& also) {
  std::vector<SchemaPair> swapped;
  in_one_transaction(connection, settings, "the rollback", [&](pqxx::work& tx, Step& step) {
    swapped.clear();
    // Per backup: the keys of the build production holds, when the backup recorded them.
    std::vector<std::optional<std::set<std::string>>> production_builds;
    step = {"finding the backups of target " + settings.target_key, ""};
    auto backups = tx.exec_params(
        "select nspname, obj_description(oid, 'pg_namespace') from pg_namespace "
        "where starts_with(coalesce(obj_description(oid, 'pg_namespace'), ''), $1) "
        "order by nspname",
        std::string(kBackupComment));
    for (const auto& row : backups) {
      auto marker = backup_marker(row[1].as<std::string>());
      if (!marker.is_object() || marker.value("target", "") != settings.target_key) continue;
      swapped.push_back({marker.value("production", ""), "", row[0].as<std::string>()});
      production_builds.push_back(marker_keys(marker, "built"));
    }
    if (swapped.empty()) {
      throw SwapError("target " + settings.target_key +
                      " has no previous production schemas to roll back to; a BlueGreen run keeps "
                      "them when deployment.keepPrevious is true (the default)");
    }
    std::set<std::string> production_exists;
    for (const auto& pair : swapped) {
      if (schema_exists(tx, pair.production)) production_exists.insert(pair.production);
    }
    for (const auto& pair : swapped) {
      if (production_exists.count(pair.production)) lock_relations(tx, pair.production, step);
    }
    std::vector<std::vector<std::string>> backup_builds;
    std::vector<ProductionSplit> splits;
    for (size_t i = 0; i < swapped.size(); ++i) {
      backup_builds.push_back(keys(schema_objects(tx, swapped[i].previous)));
      // A backup made before backups recorded production's build: production's objects the
      // backup also has are the build's, and the others stay in production.
      auto built = production_builds[i].value_or(
          std::set<std::string>(backup_builds[i].begin(), backup_builds[i].end()));
      splits.push_back(split_production(tx, swapped[i].production, built));
    }
    check_splits(tx, splits, "the rollback", step);
    for (size_t i = 0; i < swapped.size(); ++i) {
      const auto& pair = swapped[i];
      if (!production_exists.count(pair.production)) {
        rename_schema(tx, pair.previous, pair.production, step);
        tx.exec0("comment on schema " + tx.quote_name(pair.production) + " is null");
        continue;
      }
      carry(tx, splits[i], pair.previous, step);
      carry_over_access(tx, pair.production, pair.previous, step);
      auto swapping = pair.production + kSwappingSuffix;
      rename_schema(tx, pair.production, swapping, step);
      rename_schema(tx, pair.previous, pair.production, step);
      rename_schema(tx, swapping, pair.previous, step);
      tx.exec0("comment on schema " + tx.quote_name(pair.previous) + " is " +
               tx.quote(backup_comment(pair.production, settings.target_key, backup_builds[i],
                                       keys(splits[i].replaced))));
    }
    if (also) {
      step = {"the rest of the rollback", ""};
      also(tx);
    }
  });
  return swapped;
}

}  // namespace kubedbt::runner
