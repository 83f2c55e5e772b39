// The protected-target guard: one GET of the policy, its protectedTargets literal read as JSON.
#include "operator/core/protected_target_guard.h"

#include "kube/errors.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

// The chart value that lists who may start runs on the target, and what to do about it.
std::string fix(const std::string& ns, const std::string& key) {
  std::string escaped = key;
  for (std::size_t pos = escaped.find('.'); pos != std::string::npos;
       pos = escaped.find('.', pos + 2)) {
    escaped.insert(pos, "\\");
  }
  return "Set the chart value protectedTargets." + ns + "." + escaped +
         " to the groups or user:<name> entries allowed to start runs on it (such as "
         "[dbt-prod-deployers]), then create the run again; runs of its DbtSchedules are not "
         "affected.";
}

// The protectedTargets map of the policy, or null when it has none that reads as JSON.
Json protected_targets(const Json& policy) {
  for (const auto& variable :
       policy.value("spec", Json::object()).value("variables", Json::array())) {
    if (variable.value("name", "") != "protectedTargets") continue;
    Json map = Json::parse(variable.value("expression", ""), nullptr, false);
    return map.is_object() ? map : Json();
  }
  return Json();
}

}  // namespace

const kube::Resource kValidatingAdmissionPolicies{"admissionregistration.k8s.io", "v1",
                                                  "validatingadmissionpolicies", false};

std::optional<std::string> unguarded_target_refusal(kube::Client& client, const std::string& policy,
                                                    const std::string& ns,
                                                    const std::string& project,
                                                    const std::string& target) {
  const std::string key = project + "." + target;
  const std::string what = "Target " + target + " of DbtProject " + project + " is protected, but ";
  Json object;
  try {
    object = client.get(kValidatingAdmissionPolicies, "", policy);
  } catch (const kube::NotFound&) {
    return what + "the admission policy " + policy +
           " that says who may start runs on it is not installed, so this run was not started. "
           "Install the chart with admissionPolicy.enabled=true. " +
           fix(ns, key);
  }
  auto map = protected_targets(object);
  if (map.is_null()) {
    return what + "the protectedTargets map of admission policy " + policy +
           " cannot be read, so this run was not started. " + fix(ns, key);
  }
  auto in_namespace = map.find(ns);
  if (in_namespace != map.end() && in_namespace->is_object()) {
    auto allowed = in_namespace->find(key);
    if (allowed != in_namespace->end() && allowed->is_array() && !allowed->empty()) {
      return std::nullopt;
    }
  }
  return what + "admission policy " + policy + " lists nobody who may start runs on " + key +
         " in namespace " + ns + ", so anyone could have asked for this run; it was not started. " +
         fix(ns, key);
}

}  // namespace kubedbt::op
