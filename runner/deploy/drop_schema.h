// `kubedbt-runner drop-schema`: the clean-up of a CI run's own schema (DbtRun.spec.schema) when
// its DbtRun is deleted: the run schema and every schema the run recorded in
// <state schema>.built_schemas, dropped in one transaction.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

// The clean-up could not run or was refused; the message names the schema and the fix.
class DropSchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The schemas a clean-up drops, before it drops them: `run_schema` first, then `recorded` ones
// (duplicates removed). Throws DropSchemaError when one of them is a protected schema, or a dbt
// custom schema of one (<protected>_<name>), or not a plain identifier: nothing is dropped then.
std::vector<std::string> schemas_to_drop(const std::string& run_schema,
                                         const std::vector<std::string>& recorded,
                                         const std::vector<std::string>& protected_schemas);

// What a clean-up did: the schemas it dropped, or, when other runs still use the run schema
// (schema_users.h), none, and those runs' names.
struct DropOutcome {
  std::vector<std::string> dropped;
  std::vector<std::string> still_used_by;
};

// Takes the run schema's target lock (the one a run building it holds; waits spec.lock_wait, then
// refuses), connects with the target's credentials (`password`) and, in one transaction: releases
// this run's use of the run schema (spec.run's uid); when another run still uses it, drops
// nothing; otherwise reads the rows of <state>.built_schemas for (project, run schema) — a missing
// table means none — drops those schemas and the run schema (if they exist) and deletes the rows.
// CASCADE is used only once no relation outside those schemas depends on one inside them (a BI
// view over a CI table, a foreign key) and every relation and function inside them belongs to the
// run's user (or a role it is a member of): otherwise nothing is dropped and the error names each
// such object. `protected_schemas` are the schemas of protected targets; the target's own schema is
// always protected too. Throws DropSchemaError; a spec without "schema" is refused (the target's
// own schema is never dropped).
DropOutcome drop_run_schemas(const RunSpec& spec, const std::string& password,
                             std::vector<std::string> protected_schemas);

}  // namespace kubedbt::runner
