// validate(): everything wrong with a resource, each message naming the field and the fix.
// It checks what the CRD schema checks (so the operator can trust objects from any source)
// and what CEL cannot: a cron expression that never fires, a time zone missing from the tz
// database. validate_against_project() checks what needs the referenced DbtProject in hand.
#pragma once

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "api/dbt_schedule.h"
#include "api/field_error.h"

namespace kubedbt::api {

FieldErrors validate(const DbtProject& project);
FieldErrors validate(const DbtSchedule& schedule);
FieldErrors validate(const DbtRun& run);

// The schedule's target exists in the project.
FieldErrors validate_against_project(const DbtSchedule& schedule, const DbtProject& project);

// The run's target and defer.to exist in the project; spec.schema is not used with a
// protected target (the CRD cannot see the project, so this rule lives here and the operator
// fails such a run with reason InvalidSpec); spec.source.ref needs a git source.
FieldErrors validate_against_project(const DbtRun& run, const DbtProject& project);

}  // namespace kubedbt::api
