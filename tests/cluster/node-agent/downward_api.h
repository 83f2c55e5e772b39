// The downward API: a pod's own fields (fieldRef) and resources (resourceFieldRef) as text.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace kubedbt::node_agent {

using Json = nlohmann::json;

// What the node knows of a pod that its API object may not say yet.
struct PodRuntimeFacts {
  std::string pod_ip = "127.0.0.1";
  std::string host_ip = "127.0.0.1";
  std::string node_cpu = "1";  // node allocatable, used when a container has no limit
  std::string node_memory = "1Gi";
};

// A container's configuration cannot be resolved (missing Secret key, unsupported field):
// the kubelet's CreateContainerConfigError. The message never contains a secret value.
class ContainerConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Value of a fieldRef.fieldPath: metadata.name|namespace|uid, metadata.labels['k'],
// metadata.annotations['k'], metadata.labels / metadata.annotations (as k="v" lines, volumes
// only), spec.nodeName, spec.serviceAccountName, status.podIP(s), status.hostIP(s).
std::string resolve_field_path(const Json& pod, const std::string& field_path,
                               const PodRuntimeFacts& facts);

// Value of a resourceFieldRef {containerName, resource, divisor} for `container_name` (used when
// the ref names none): limits.* fall back to the node's allocatable, the result is rounded up.
std::string resolve_resource_field(const Json& pod, const std::string& container_name,
                                   const Json& ref, const PodRuntimeFacts& facts);

}  // namespace kubedbt::node_agent
