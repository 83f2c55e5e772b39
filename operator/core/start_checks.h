// The checks a DbtRun or DbtSchedule passes, in order, before the operator makes its Job or
// CronJob: its own spec, its project exists, its spec against the project, a target resolves;
// for a user-created run also the protected-target guard and a Ready project.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "api/dbt_schedule.h"
#include "operator/runtime/object_cache.h"

namespace kubedbt::op {

namespace start_reason {
inline constexpr std::string_view kInvalidSpec = "InvalidSpec";
inline constexpr std::string_view kProjectNotFound = "ProjectNotFound";
inline constexpr std::string_view kProjectNotReady = "ProjectNotReady";
inline constexpr std::string_view kProtectedTarget = "ProtectedTarget";
}  // namespace start_reason

// Why something may not start: Wait until the cluster changes (a project appears or becomes
// Ready), or Refuse until its own spec changes.
struct StartBlock {
  enum class Action { kWait, kRefuse };
  Action action = Action::kRefuse;
  std::string_view reason;
  std::string message;
};

// What it starts with once every check passed.
struct StartPlan {
  api::DbtProject project;
  std::string target;
};

using StartDecision = std::variant<StartPlan, StartBlock>;

StartDecision check_start(const ObjectCache& cache, const api::DbtSchedule& schedule);
StartDecision check_start(const ObjectCache& cache, const api::DbtRun& run);

// Why a user-created run on a protected target may not start, or std::nullopt when it may.
std::optional<std::string> protected_target_refusal(const api::DbtRun& run,
                                                    const api::DbtProject& project,
                                                    const std::string& target);

}  // namespace kubedbt::op
