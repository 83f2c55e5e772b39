// MapObjectCache: objects keyed by resource, namespace and name; lists walk one key range.
#include "tests/unit/operator/map_object_cache.h"

namespace kubedbt::op::testing {
namespace {

std::string resource_key(const kube::Resource& resource) {
  return resource.group + "/" + resource.resource;
}

}  // namespace

void MapObjectCache::put(const kube::Resource& resource, nlohmann::json object) {
  const auto& meta = object["metadata"];
  Key key{resource_key(resource), meta.value("namespace", ""), meta.value("name", "")};
  objects_[key] = std::move(object);
}

std::optional<nlohmann::json> MapObjectCache::get(const kube::Resource& resource,
                                                  const std::string& ns,
                                                  const std::string& name) const {
  auto it = objects_.find({resource_key(resource), ns, name});
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<nlohmann::json> MapObjectCache::list(const kube::Resource& resource,
                                                 const std::string& ns) const {
  std::vector<nlohmann::json> out;
  auto kind = resource_key(resource);
  for (auto it = objects_.lower_bound({kind, ns, ""});
       it != objects_.end() && std::get<0>(it->first) == kind && std::get<1>(it->first) == ns;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

}  // namespace kubedbt::op::testing
