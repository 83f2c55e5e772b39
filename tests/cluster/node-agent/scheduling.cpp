// The agent's scheduler for its single node.
#include "tests/cluster/node-agent/scheduling.h"

#include <algorithm>

namespace kubedbt::node_agent {
namespace {

// One nodeSelectorRequirement (In, NotIn, Exists, DoesNotExist) against the labels.
bool requirement_matches(const Json& requirement, const Json& labels) {
  const std::string key = requirement.value("key", "");
  const std::string op = requirement.value("operator", "");
  const Json values = requirement.value("values", Json::array());
  const bool has = labels.contains(key);
  const bool in_values =
      has && std::find(values.begin(), values.end(), labels[key]) != values.end();
  if (op == "In") return in_values;
  if (op == "NotIn") return !in_values;
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  return false;  // Gt/Lt on numeric labels: no node label of ours is numeric
}

}  // namespace

bool wants_scheduling(const Json& pod) {
  const Json& spec = pod.value("spec", Json::object());
  if (!spec.value("nodeName", "").empty()) return false;
  if (pod["metadata"].contains("deletionTimestamp")) return false;
  const std::string phase = pod.value("status", Json::object()).value("phase", "");
  if (phase == "Succeeded" || phase == "Failed") return false;
  const std::string scheduler = spec.value("schedulerName", "default-scheduler");
  return scheduler == "default-scheduler";
}

std::string unschedulable_reason(const Json& pod, const Json& node_labels) {
  const Json& spec = pod.value("spec", Json::object());
  const Json selector = spec.value("nodeSelector", Json::object());
  for (const auto& [key, value] : selector.items()) {
    if (!node_labels.contains(key) || node_labels[key] != value) {
      return "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.";
    }
  }
  const Json required =
      spec.value("affinity", Json::object())
          .value("nodeAffinity", Json::object())
          .value("requiredDuringSchedulingIgnoredDuringExecution", Json::object());
  const Json terms = required.value("nodeSelectorTerms", Json::array());
  if (terms.empty()) return "";
  for (const auto& term : terms) {  // terms are ORed, requirements within a term ANDed
    bool all = true;
    for (const auto& requirement : term.value("matchExpressions", Json::array())) {
      all = all && requirement_matches(requirement, node_labels);
    }
    if (all) return "";
  }
  return "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.";
}

Json binding_for(const Json& pod, const std::string& node_name) {
  return {{"apiVersion", "v1"},
          {"kind", "Binding"},
          {"metadata",
           {{"name", pod["metadata"].value("name", "")},
            {"namespace", pod["metadata"].value("namespace", "")},
            {"uid", pod["metadata"].value("uid", "")}}},
          {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_name}}}};
}

}  // namespace kubedbt::node_agent
