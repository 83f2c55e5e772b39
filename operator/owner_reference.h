// Owner references that make a parent's children garbage-collected with it.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "api/object_meta.h"

namespace kubedbt::op {

// A controller owner reference to a kubedbt resource of `kind`.
nlohmann::json controller_reference(std::string_view kind, const api::ObjectMeta& owner);

// Whether `object` has an owner reference with this uid.
bool is_owned_by(const nlohmann::json& object, std::string_view owner_uid);

// The controller owner reference of `object` of `kind` (e.g. "Job"), or nullptr.
const nlohmann::json* controller_of_kind(const nlohmann::json& object, std::string_view kind);

}  // namespace kubedbt::op
