// An ObjectCache over a map that a test fills with fixture JSON: what the informers would hold.
#pragma once

#include <map>
#include <tuple>

#include "operator/runtime/object_cache.h"

namespace kubedbt::op::testing {

class MapObjectCache : public ObjectCache {
 public:
  // Holds `object` under its metadata.namespace and metadata.name, replacing what was there.
  void put(const kube::Resource& resource, nlohmann::json object);

  std::optional<nlohmann::json> get(const kube::Resource& resource, const std::string& ns,
                                    const std::string& name) const override;
  std::vector<nlohmann::json> list(const kube::Resource& resource,
                                   const std::string& ns) const override;

 private:
  // group/resource, namespace, name
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, nlohmann::json> objects_;
};

}  // namespace kubedbt::op::testing
