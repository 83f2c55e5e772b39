// A container's environment as the kubelet computes it: base variables, envFrom, env (values,
// Secret and ConfigMap keys, downward API), with $(VAR) references expanded.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/cluster/node-agent/downward_api.h"
#include "tests/cluster/node-agent/object_source.h"

namespace kubedbt::node_agent {

// Ordered NAME=value pairs; a later entry overrides an earlier one of the same name.
using EnvList = std::vector<std::pair<std::string, std::string>>;

// The variables a pod gets for the API server. There is no kube-proxy here, so the "service" is
// the API server's own loopback address taken from the kubeconfig's server URL.
EnvList kubernetes_service_env(const std::string& server_url);

// Resolves `container` of `pod` on top of `base` (image environment, service variables).
// Throws ContainerConfigError when a required Secret/ConfigMap or key is missing; its message
// names the object and key, never a value.
EnvList build_container_env(const Json& pod, const Json& container, const EnvList& base,
                            ObjectSource& objects, const PodRuntimeFacts& facts);

// Collapses an EnvList (last wins) keeping first-seen order.
EnvList deduplicate(const EnvList& env);

// Kubernetes $(VAR) expansion: $(NAME) -> value when NAME is defined, $$ -> $, anything else kept.
std::string expand_references(const std::string& text,
                              const std::map<std::string, std::string>& vars);

}  // namespace kubedbt::node_agent
