// Identifies a kind of Kubernetes resource on the wire: group, version, plural resource name.
#pragma once

#include <string>

namespace kubedbt::kube {

struct Resource {
  std::string group;     // "" for the core group
  std::string version;   // "v1", "v1alpha1"
  std::string resource;  // plural, lower case: "configmaps", "dbtruns"
  bool namespaced = true;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "/api/v1" or "/apis/<group>/<version>".
  std::string api_prefix() const;
  // Collection path: prefix [/namespaces/<ns>]/<resource>. An empty ns lists across namespaces.
  std::string collection_path(const std::string& ns) const;
  // Object path, optionally with a subresource ("status", "token", "binding").
  std::string object_path(const std::string& ns, const std::string& name,
                          const std::string& subresource = "") const;
};

// The resources the project itself touches, spelled once.
namespace resources {
const Resource kNamespaces{"", "v1", "namespaces", false};
const Resource kNodes{"", "v1", "nodes", false};
const Resource kPods{"", "v1", "pods", true};
const Resource kSecrets{"", "v1", "secrets", true};
const Resource kConfigMaps{"", "v1", "configmaps", true};
const Resource kServiceAccounts{"", "v1", "serviceaccounts", true};
const Resource kEvents{"", "v1", "events", true};
const Resource kJobs{"batch", "v1", "jobs", true};
const Resource kCronJobs{"batch", "v1", "cronjobs", true};
const Resource kLeases{"coordination.k8s.io", "v1", "leases", true};
const Resource kCustomResourceDefinitions{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                                          false};
const Resource kRoles{"rbac.authorization.k8s.io", "v1", "roles", true};
const Resource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings", true};
}  // namespace resources

}  // namespace kubedbt::kube
