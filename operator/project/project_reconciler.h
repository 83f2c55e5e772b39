// DbtProject: validate it, check the Secrets it names, report Ready, and say whether the admission
// policy guards each protected target (ProtectedTargetsGuarded, protected_target_guard.h). The
// runner renders profiles.yml itself, from the run spec, for the one target of each run.
//
// Key check (decided): a Secret's existence comes from the metadata-only informer; where a key is
// named, the reconciler GETs that one Secret directly, keeps only the key names and drops the
// object at once: never cached, never logged. A missing key is then reported here
// (SecretKeyNotFound) rather than as a failed run later.
//
// RBAC: dbtprojects get/list/watch, dbtprojects/status patch; secrets get/list/watch; events
// create; validatingadmissionpolicies get.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
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
inline constexpr std::string_view kProtectedTargetUnguarded = "ProtectedTargetUnguarded";
inline constexpr std::string_view kGuarded = "Guarded";
}  // namespace project_reason

// How soon a project with an unguarded protected target looks at the admission policy again.
inline constexpr std::chrono::minutes kUnguardedRecheck{5};

enum class SecretCheck { Present, SecretNotFound, KeyNotFound };
// Answers whether Secret `name` exists and, when `key` is not empty, holds `key`.
using SecretChecker = std::function<SecretCheck(const std::string& name, const std::string& key)>;

// Pure: the project's Ready condition. Validation first, then every Secret reference in spec order
// (targets, git, notifications).
api::Condition evaluate_project(const api::DbtProject& project, const SecretChecker& secrets);

// Pure: the ProtectedTargetsGuarded condition. False, with `unguarded`'s reason and fix, at the
// first protected target (spec order) that `unguarded` says the admission policy does not list.
api::Condition guard_condition(
    const api::DbtProject& project,
    const std::function<std::optional<std::string>(const std::string& target)>& unguarded);

// The status the project should have (`ready` merged into the current conditions at `now`).
api::DbtProjectStatus desired_project_status(const api::DbtProject& project,
                                             const api::Condition& ready, api::Timestamp now);

// Loads ns/name from the cache and converges it; NotFound (deleted) is done.
ReconcileResult reconcile_project(const ReconcileContext& ctx, const std::string& ns,
                                  const std::string& name);

}  // namespace kubedbt::op
