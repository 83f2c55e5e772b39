// The agent's scheduler for its single node: which pending pods it takes, and the Binding.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kubedbt::node_agent {

using Json = nlohmann::json;

// Whether this agent should schedule `pod`: not yet bound, not being deleted, not terminal, and
// meant for the default scheduler.
bool wants_scheduling(const Json& pod);

// Why the node does not fit the pod (nodeSelector or required node affinity on
// `node_labels`), or "" when it fits. Taints are not modelled: this is the only node.
std::string unschedulable_reason(const Json& pod, const Json& node_labels);

// The pods/binding body that assigns `pod` to `node_name`.
Json binding_for(const Json& pod, const std::string& node_name);

}  // namespace kubedbt::node_agent
