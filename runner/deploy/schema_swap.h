// The blue-green transactions on PostgreSQL: promote staging schemas to production (keeping the
// old ones as backups, grants and owners carried over) and roll back to the backups.
#pragma once

#include <chrono>
#include <functional>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

#include "runner/deploy/blue_green_plan.h"

namespace kubedbt::runner {

// A swap, drop or check that did not happen; production is as it was. The message names the
// schema or relation and, for a lock wait, who held the lock.
class SwapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SwapSettings {
  // Longest wait for any one lock inside a swap transaction (SET LOCAL lock_timeout).
  std::chrono::milliseconds lock_timeout{std::chrono::seconds(10)};
  // Which target the backups belong to ("<database>.<production target schema>"); written into
  // each backup schema's comment, which is how `kubedbt-runner rollback` finds them.
  std::string target_key;
};

// Drops the schemas that exist, each in its own transaction and without CASCADE (see
// drop_previous). Refuses (SwapError) any name without the staging marker, so a production schema
// is never dropped through here.
void drop_staging_schemas(pqxx::connection& connection, const std::vector<std::string>& schemas);

// Throws SwapError naming the missing ones when a relation of `expected` does not exist (the
// run's commands did not build the whole project, so a swap would lose production relations).
void check_staged_relations(pqxx::connection& connection,
                            const std::vector<StagedRelation>& expected);

// Before the build, in one transaction: copies each relation's production table (structure,
// indexes and rows) into its staging schema, creating that schema when needed. A relation with
// no production table yet is left to dbt. Returns the relations copied.
std::vector<std::string> carry_over_history(pqxx::connection& connection,
                                            const std::vector<StagedRelation>& relations,
                                            const SwapSettings& settings);

struct PromotionResult {
  std::vector<std::string> swapped;   // production schemas now holding the staging build
  std::vector<std::string> previous;  // backups made of production schemas that existed
};

// In ONE transaction: locks every relation of the production schemas (readers see the old or the
// new build, never a mix) and drops the old backups (as drop_previous does). Then it splits each
// production schema: objects the staging build also holds (by name) are replaced, the others (a
// team's own tables, foreign tables, relations of deleted models, functions, types) are not the
// build's and move into the staging schema, so they stay in production. It refuses (SwapError,
// nothing changed) when an object outside the replaced ones depends on one of them (another
// team's view, a foreign key, a function over its row type: PostgreSQL binds those to the
// relation, so they would follow it into the backup) or production holds an object it cannot
// move, naming each. Then it copies each production schema's owner, grants and comment and its
// relations' owners and grants onto the staging schema, renames production to its backup and
// staging to production, and marks each backup with its target and the new build's objects.
// Retries a transaction the deadlock detector chose; throws SwapError on any other failure.
PromotionResult promote_staging(pqxx::connection& connection, const std::vector<SchemaPair>& pairs,
                                const SwapSettings& settings);

// Drops backups after a promotion that keeps none (deployment.keepPrevious false), without
// CASCADE: views readers first, then each kind of object, then the empty schema. Refuses
// (SwapError, the backups kept) when an object outside a backup depends on one inside it or a
// backup holds an object no build makes, naming them.
void drop_previous(pqxx::connection& connection, const std::vector<std::string>& previous,
                   const SwapSettings& settings);

// `kubedbt-runner rollback`: in ONE transaction swaps every production schema of the target with
// its backup (so a second rollback rolls forward again), and runs `also` in that transaction last.
// Objects of production that are not the build the backup recorded stay in production, and the
// same dependents as promote_staging's are refused.
// Throws SwapError when the target has no backup. Returns the pairs swapped (production: the name
// now holding the former backup).
std::vector<SchemaPair> swap_with_previous(
    pqxx::connection& connection, const SwapSettings& settings,
    const std::function<void(pqxx::transaction_base&)>& also = {});

}  // namespace kubedbt::runner
