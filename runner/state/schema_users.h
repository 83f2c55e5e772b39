// Which runs use a CI run schema (DbtRun.spec.schema, e.g. ci_pr_7, reused by every push of a
// pull request): each run registers before it builds into it, and its clean-up releases it. The
// schema is dropped only by the clean-up of its last user, so pruning an old run never drops
// what a newer run built. Rows live in <state schema>.schema_users.
#pragma once

#include <string>
#include <vector>

namespace pqxx {
class transaction_base;
}

namespace kubedbt::runner {

// One run's use of a run schema; the DbtRun's uid tells a run from one created again under the
// same name.
struct SchemaUser {
  std::string project;
  std::string run_schema;
  std::string run_uid;
  std::string run_name;
};

// Records `user` (again: idempotent).
void register_schema_user(pqxx::transaction_base& tx, const std::string& state_schema,
                          const SchemaUser& user);

// Removes `user`'s record (an empty run_uid removes nothing) and returns the names of the other
// runs still recorded for its project and run schema, sorted. No table yet means no users.
std::vector<std::string> release_schema_user(pqxx::transaction_base& tx,
                                             const std::string& state_schema,
                                             const SchemaUser& user);

}  // namespace kubedbt::runner
