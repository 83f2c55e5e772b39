// The state store's versioned schema: the migrations and how a runner applies them safely.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
class dbtransaction;
}  // namespace pqxx

namespace kubedbt::runner {

struct StateMigration {
  int version;
  std::string description;
  std::string sql;  // "{S}" stands for the quoted state schema
};

// Every migration, oldest first; versions only ever grow and a published one never changes.
const std::vector<StateMigration>& state_migrations();

// The state schema exists but belongs to a role the connecting user is not a member of: that role
// may have written its contents, so the store refuses to read or write it.
class StateSchemaOwnerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Creates `schema` (when missing) and brings it to the latest version in one transaction under a
// transaction-level advisory lock, so runners racing each other apply each migration exactly once.
// `on_created` runs in that transaction right after the first migrations of a new store. Returns
// the versions this call applied (empty when the store was current). Throws StateSchemaOwnerError
// when another role owns the schema, pqxx::insufficient_privilege when the user may not create it,
// std::runtime_error naming the schema and the migration that failed.
std::vector<int> apply_state_migrations(
    pqxx::connection_base& connection, const std::string& schema,
    const std::function<void(pqxx::dbtransaction&)>& on_created = {});

}  // namespace kubedbt::runner
