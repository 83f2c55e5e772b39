// Fail closed on protected targets: the operator starts a user-created run on a protected target
// only when the admission policy lists identities allowed to start it. A target marked
// `protected: true` that the policy's protectedTargets map leaves out would otherwise be guarded
// by nothing but an annotation any creator may set to their own name.
//
// RBAC: validatingadmissionpolicies get.
#pragma once

#include <optional>
#include <string>

#include "kube/client.h"

namespace kubedbt::op {

// The cluster-scoped admission policies (admissionregistration.k8s.io/v1).
extern const kube::Resource kValidatingAdmissionPolicies;

// Reads ValidatingAdmissionPolicy `policy` (one GET) and looks up "<project>.<target>" in the map
// of its protectedTargets variable for namespace `ns`. std::nullopt when at least one identity
// may start runs there; otherwise why not (the policy is missing or unreadable, or lists nobody)
// and the chart value that fixes it.
std::optional<std::string> unguarded_target_refusal(kube::Client& client, const std::string& policy,
                                                    const std::string& ns,
                                                    const std::string& project,
                                                    const std::string& target);

}  // namespace kubedbt::op
