// Owner references that make a parent's children garbage-collected with it.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "api/object_meta.h"

namespace kubedbt::op {

// A controller owner reference to a kubedbt resource of `kind`.
nlohmann::json controller_reference(std::string_view kind, const api::ObjectMeta& owner);

}  // namespace kubedbt::op
