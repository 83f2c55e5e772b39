// REST paths of a resource kind: /api/v1/... for the core group, /apis/<group>/<version>/... else.
#include "kube/resource.h"

namespace kubedbt::kube {

std::string Resource::api_prefix() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string Resource::collection_path(const std::string& ns) const {
  std::string path = api_prefix();
  if (namespaced && !ns.empty()) path += "/namespaces/" + ns;
  return path + "/" + resource;
}

std::string Resource::object_path(const std::string& ns, const std::string& name,
                                  const std::string& subresource) const {
  std::string path = collection_path(ns) + "/" + name;
  if (!subresource.empty()) path += "/" + subresource;
  return path;
}

}  // namespace kubedbt::kube
