// schema_users: register, release and list the runs that use a run schema.
#include "runner/state/schema_users.h"

#include <pqxx/pqxx>

namespace kubedbt::runner {

void register_schema_user(pqxx::transaction_base& tx, const std::string& state_schema,
                          const SchemaUser& user) {
  tx.exec_params("insert into " + tx.quote_name(state_schema) +
                     ".schema_users (project, run_schema, run_uid, run_name) values ($1, $2, $3, "
                     "$4) on conflict (project, run_schema, run_uid) do nothing",
                 user.project, user.run_schema, user.run_uid, user.run_name);
}

std::vector<std::string> release_schema_user(pqxx::transaction_base& tx,
                                             const std::string& state_schema,
                                             const SchemaUser& user) {
  const std::string table = tx.quote_name(state_schema) + ".schema_users";
  if (!tx.exec_params1("select to_regclass($1) is not null", table)[0].as<bool>()) return {};
  if (!user.run_uid.empty()) {
    tx.exec_params(
        "delete from " + table + " where project = $1 and run_schema = $2 and run_uid = $3",
        user.project, user.run_schema, user.run_uid);
  }
  std::vector<std::string> others;
  for (const auto& row : tx.exec_params("select run_name from " + table +
                                            " where project = $1 and run_schema = $2 "
                                            "order by run_name",
                                        user.project, user.run_schema)) {
    others.push_back(row[0].as<std::string>());
  }
  return others;
}

}  // namespace kubedbt::runner
