// DbtProject: validate it, check the Secrets it names, report Ready. The runner renders
// profiles.yml itself, from the run spec, for the one target of each run.
//
// Key check (decided): a Secret's existence comes from the metadata-only informer; where a key is
// named, the reconciler GETs that one Secret directly, keeps only the key names and drops the
// object at once: never cached, never logged. A missing key is then reported here
// (SecretKeyNotFound) rather than as a failed run later.
//
// RBAC: dbtprojects get/list/watch, dbtprojects/status patch; secrets get/list/watch; events
// create.
#pragma once

#include <functional>
#include <string>

#include "api/condition.h"
#include "api/dbt_project.h"
#include "operator/core/reconcile_context.h"

namespace kubedbt::op {

namespace project_reason {
inline constexpr std::string_view kReady = "SpecValid";
inline constexpr std::string_view kInvalidSpec = "InvalidSpec";
inline constexpr std::string_view kSecretNotFound = "SecretNotFound";
inline constexpr std::string_view kSecretKeyNotFound = "SecretKeyNotFound";
}  // namespace project_reason

enum class SecretCheck { Present, SecretNotFound, KeyNotFound };
// Answers whether Secret `name` exists and, when `key` is not empty, holds `key`.
using SecretChecker = std::function<SecretCheck(const std::string& name, const std::string& key)>;

// Pure: the project's Ready condition. Validation first, then every Secret reference in spec order
// (targets, git, notifications).
api::Condition evaluate_project(const api::DbtProject& project, const SecretChecker& secrets);

// The status the project should have (`ready` merged into the current conditions at `now`).
api::DbtProjectStatus desired_project_status(const api::DbtProject& project,
                                             const api::Condition& ready, api::Timestamp now);

// Loads ns/name from the cache and converges it; NotFound (deleted) is done.
ReconcileResult reconcile_project(const ReconcileContext& ctx, const std::string& ns,
                                  const std::string& name);

}  // namespace kubedbt::op
