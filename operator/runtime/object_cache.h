// Read access to the objects the informers hold, so reconcilers read the cache, never the API.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kube/resource.h"

namespace kubedbt::op {

class ObjectCache {
 public:
  virtual ~ObjectCache() = default;
  virtual std::optional<nlohmann::json> get(const kube::Resource& resource, const std::string& ns,
                                            const std::string& name) const = 0;
  // Every cached object of `resource` in namespace `ns`.
  virtual std::vector<nlohmann::json> list(const kube::Resource& resource,
                                           const std::string& ns) const = 0;
};

}  // namespace kubedbt::op
