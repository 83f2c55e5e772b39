// The metadata of a kubedbt resource: the fields the operator reads, everything else kept verbatim.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "api/json_codec.h"

namespace kubedbt::api {

inline constexpr std::string_view kGroup = "kubedbt.io";
inline constexpr std::string_view kVersion = "v1alpha1";
inline constexpr std::string_view kApiVersion = "kubedbt.io/v1alpha1";

struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // Every other metadata field (ownerReferences, finalizers, managedFields, ...), untouched.
  Json other = Json::object();

  bool operator==(const ObjectMeta&) const = default;
};

void decode(const Json& j, const std::string& path, ObjectMeta& out);
Json encode(const ObjectMeta& meta);

}  // namespace kubedbt::api
