// JSON of ObjectMeta: known fields typed, the rest preserved so an update never drops them.
#include "api/object_meta.h"

namespace kubedbt::api {

void decode(const Json& j, const std::string& path, ObjectMeta& out) {
  expect_object(j, path);
  out = ObjectMeta{};
  decode_field(j, path, "name", out.name);
  decode_field(j, path, "namespace", out.namespace_);
  decode_field(j, path, "uid", out.uid);
  decode_field(j, path, "resourceVersion", out.resource_version);
  decode_field(j, path, "generation", out.generation);
  decode_field(j, path, "labels", out.labels);
  decode_field(j, path, "annotations", out.annotations);
  for (const auto& [key, value] : j.items()) {
    if (key != "name" && key != "namespace" && key != "uid" && key != "resourceVersion" &&
        key != "generation" && key != "labels" && key != "annotations") {
      out.other[key] = value;
    }
  }
}

Json encode(const ObjectMeta& meta) {
  Json out = meta.other.is_object() ? meta.other : Json::object();
  if (!meta.name.empty()) out["name"] = meta.name;
  if (!meta.namespace_.empty()) out["namespace"] = meta.namespace_;
  if (!meta.uid.empty()) out["uid"] = meta.uid;
  if (!meta.resource_version.empty()) out["resourceVersion"] = meta.resource_version;
  if (meta.generation != 0) out["generation"] = meta.generation;
  encode_field(out, "labels", meta.labels);
  encode_field(out, "annotations", meta.annotations);
  return out;
}

}  // namespace kubedbt::api
