// The ordered start checks: the shared ones, then those only a user-created run needs.
#include "operator/core/start_checks.h"

#include "api/validation.h"
#include "operator/core/kinds.h"

namespace kubedbt::op {
namespace {

StartBlock refuse(std::string_view reason, std::string message) {
  return {StartBlock::Action::kRefuse, reason, std::move(message)};
}

StartBlock wait(std::string_view reason, std::string message) {
  return {StartBlock::Action::kWait, reason, std::move(message)};
}

// The checks runs and schedules share; `Resource` is api::DbtRun or api::DbtSchedule.
template <typename Resource>
StartDecision check_spec_project_and_target(const ObjectCache& cache, const Resource& resource) {
  auto errors = api::validate(resource);
  if (!errors.empty()) return refuse(start_reason::kInvalidSpec, api::join_messages(errors));
  const std::string& ns = resource.metadata.namespace_;
  const std::string& project_name = resource.spec.project_ref.name;
  auto project_object = cache.get(kDbtProjects, ns, project_name);
  if (!project_object) {
    return wait(start_reason::kProjectNotFound,
                "Waiting for DbtProject " + project_name + " in namespace " + ns + ".");
  }
  StartPlan plan{api::dbt_project_from_json(*project_object), ""};
  errors = api::validate_against_project(resource, plan.project);
  if (!errors.empty()) return refuse(start_reason::kInvalidSpec, api::join_messages(errors));
  const std::string* target =
      resource.spec.target ? &*resource.spec.target : plan.project.spec.effective_default_target();
  if (!target) {
    return refuse(start_reason::kInvalidSpec, "spec.target is required: DbtProject " +
                                                  project_name + " has no default target.");
  }
  plan.target = *target;
  return plan;
}

}  // namespace

StartDecision check_start(const ObjectCache& cache, const api::DbtSchedule& schedule) {
  return check_spec_project_and_target(cache, schedule);
}

StartDecision check_start(const ObjectCache& cache, const api::DbtRun& run) {
  auto decision = check_spec_project_and_target(cache, run);
  auto* plan = std::get_if<StartPlan>(&decision);
  if (!plan) return decision;
  if (auto why = protected_target_refusal(run, plan->project, plan->target)) {
    return refuse(start_reason::kProtectedTarget, *why);
  }
  if (!api::is_condition_true(plan->project.status.conditions, api::condition_type::kReady)) {
    const auto* c =
        api::find_condition(plan->project.status.conditions, api::condition_type::kReady);
    return wait(start_reason::kProjectNotReady,
                "Waiting for DbtProject " + plan->project.metadata.name + " to be Ready" +
                    (c && !c->message.empty() ? ": " + c->message : "."));
  }
  return decision;
}

std::optional<std::string> protected_target_refusal(const api::DbtRun& run,
                                                    const api::DbtProject& project,
                                                    const std::string& target) {
  auto it = project.spec.targets.find(target);
  if (it == project.spec.targets.end() || !it->second.is_protected) return std::nullopt;
  if (!run.spec.target) {
    return "Target " + target + " of DbtProject " + project.metadata.name +
           " is protected: name it explicitly in spec.target so the admission policy can check "
           "who asks for it.";
  }
  if (run.metadata.annotations.count(std::string(annotation::kRequestedBy))) return std::nullopt;
  return "Target " + target + " of DbtProject " + project.metadata.name +
         " is protected: a run on it starts only from a DbtSchedule or when created by a member "
         "of an allowed group (the kubedbt-protected-targets policy records it in the " +
         std::string(annotation::kRequestedBy) + " annotation), so this run was not started.";
}

}  // namespace kubedbt::op
