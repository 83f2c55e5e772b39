// The state store's versioned schema: the migrations and how a runner applies them safely.
#pragma once

#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace kubedbt::runner {

struct StateMigration {
  int version;
  std::string description;
  std::string sql;  // "{S}" stands for the quoted state schema
};

// Every migration, oldest first; versions only ever grow and a published one never changes.
const std::vector<StateMigration>& state_migrations();

// Creates `schema` and brings it to the latest version in one transaction under a transaction-level
// advisory lock, so runners racing each other apply each migration exactly once. Returns the
// versions this call applied (empty when the store was current). Throws std::runtime_error naming
// the schema and the migration that failed.
std::vector<int> apply_state_migrations(pqxx::connection_base& connection,
                                        const std::string& schema);

}  // namespace kubedbt::runner
