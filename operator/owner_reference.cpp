// Owner references: built for children, looked up on observed objects.
#include "operator/owner_reference.h"

namespace kubedbt::op {

nlohmann::json controller_reference(std::string_view kind, const api::ObjectMeta& owner) {
  return {{"apiVersion", std::string(api::kApiVersion)},
          {"kind", std::string(kind)},
          {"name", owner.name},
          {"uid", owner.uid},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

bool is_owned_by(const nlohmann::json& object, std::string_view owner_uid) {
  const auto& meta = object.value("metadata", nlohmann::json::object());
  for (const auto& ref : meta.value("ownerReferences", nlohmann::json::array())) {
    if (ref.value("uid", "") == owner_uid) return true;
  }
  return false;
}

const nlohmann::json* controller_of_kind(const nlohmann::json& object, std::string_view kind) {
  auto meta = object.find("metadata");
  if (meta == object.end()) return nullptr;
  auto refs = meta->find("ownerReferences");
  if (refs == meta->end() || !refs->is_array()) return nullptr;
  for (const auto& ref : *refs) {
    if (ref.value("kind", "") == kind && ref.value("controller", false)) return &ref;
  }
  return nullptr;
}

}  // namespace kubedbt::op
