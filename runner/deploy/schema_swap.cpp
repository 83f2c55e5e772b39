// Each swap is one transaction: locks first, then owners, grants and comments, then renames. Any
// failure (a lock timeout included) rolls all of it back, and a client that dies mid-way leaves
// an open transaction the server aborts, so production is never half-swapped.
#include "runner/deploy/schema_swap.h"

#include <map>
#include <nlohmann/json.hpp>
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

// Takes ACCESS EXCLUSIVE on every relation readers can name in `schema`, one statement each so a
// lock timeout names the relation. A reader then sees either every old relation or every new one:
// it waits on the first production relation it names until the swap commits, and then PostgreSQL
// looks the name up again. A view is locked by an owner change to its own owner (a no-op taking
// ACCESS EXCLUSIVE on the view alone): LOCK TABLE on a view also locks every relation its query
// reads, raw sources included, and would wait on loaders.
void lock_relations(pqxx::transaction_base& tx, const std::string& schema, Step& step) {
  auto rows = tx.exec_params(
      "select c.relname, c.relkind, quote_ident(pg_get_userbyid(c.relowner)) from pg_class c "
      "join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 "
      "and c.relkind in ('r', 'p', 'm', 'f', 'v') order by c.relname",
      schema);
  for (const auto& row : rows) {
    auto relation = qualified(tx, schema, row[0].as<std::string>());
    step = {"locking production relation " + schema + "." + row[0].as<std::string>(), relation};
    if (row[1].as<std::string>() == "v") {
      tx.exec0("alter view " + relation + " owner to " + row[2].as<std::string>());
    } else {
      tx.exec0("lock table only " + relation + " in access exclusive mode");
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

std::string backup_comment(const std::string& production, const std::string& target_key) {
  return kBackupComment + nlohmann::json{{"production", production}, {"target", target_key}}.dump();
}

void rename_schema(pqxx::transaction_base& tx, const std::string& from, const std::string& to,
                   Step& step) {
  step = {"renaming schema " + from + " to " + to, ""};
  tx.exec0("alter schema " + tx.quote_name(from) + " rename to " + tx.quote_name(to));
}

void drop_schema(pqxx::transaction_base& tx, const std::string& schema, Step& step) {
  step = {"dropping schema " + schema, ""};
  tx.exec0("drop schema if exists " + tx.quote_name(schema) + " cascade");
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
                       [&](pqxx::work& tx, Step& step) {
                         if (schema_exists(tx, schema)) drop_schema(tx, schema, step);
                       });
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
    for (const auto& pair : pairs) {
      if (production_exists[pair.production]) {
        carry_over_access(tx, pair.production, pair.staging, step);
      }
    }
    for (const auto& pair : pairs) {
      drop_schema(tx, pair.previous, step);
      if (production_exists[pair.production]) {
        rename_schema(tx, pair.production, pair.previous, step);
        tx.exec0("comment on schema " + tx.quote_name(pair.previous) + " is " +
                 tx.quote(backup_comment(pair.production, settings.target_key)));
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
                       for (const auto& schema : previous) drop_schema(tx, schema, step);
                     });
}

std::vector<SchemaPair> swap_with_previous(
    pqxx::connection& connection, const SwapSettings& settings,
    const std::function<void(pqxx::transaction_base&)>& also) {
  std::vector<SchemaPair> swapped;
  in_one_transaction(connection, settings, "the rollback", [&](pqxx::work& tx, Step& step) {
    swapped.clear();
    step = {"finding the backups of target " + settings.target_key, ""};
    auto backups = tx.exec_params(
        "select nspname, obj_description(oid, 'pg_namespace') from pg_namespace "
        "where starts_with(coalesce(obj_description(oid, 'pg_namespace'), ''), $1) "
        "order by nspname",
        std::string(kBackupComment));
    for (const auto& row : backups) {
      auto marker = nlohmann::json::parse(
          row[1].as<std::string>().substr(std::string(kBackupComment).size()), nullptr, false);
      if (!marker.is_object() || marker.value("target", "") != settings.target_key) continue;
      swapped.push_back({marker.value("production", ""), "", row[0].as<std::string>()});
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
    for (const auto& pair : swapped) {
      if (!production_exists.count(pair.production)) {
        rename_schema(tx, pair.previous, pair.production, step);
        tx.exec0("comment on schema " + tx.quote_name(pair.production) + " is null");
        continue;
      }
      carry_over_access(tx, pair.production, pair.previous, step);
      auto swapping = pair.production + kSwappingSuffix;
      rename_schema(tx, pair.production, swapping, step);
      rename_schema(tx, pair.previous, pair.production, step);
      rename_schema(tx, swapping, pair.previous, step);
      tx.exec0("comment on schema " + tx.quote_name(pair.previous) + " is " +
               tx.quote(backup_comment(pair.production, settings.target_key)));
    }
    if (also) {
      step = {"the rest of the rollback", ""};
      also(tx);
    }
  });
  return swapped;
}

}  // namespace kubedbt::runner
