// Owner references that make a parent's children garbage-collected with it.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "api/object_meta.h"

namespace kubedbt::op {

// A controller owner reference to a kubedbt resource of `kind`; it does not block the owner's
// deletion (that would need update on the owner's finalizers where OwnerReferencesPermission-
// Enforcement is on, and kubedbt deletes owners in the background).
nlohmann::json controller_reference(std::string_view kind, const api::ObjectMeta& owner);

}  // namespace kubedbt::op
