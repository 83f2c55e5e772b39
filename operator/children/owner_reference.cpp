// Owner references built for the children the operator creates.
#include "operator/children/owner_reference.h"

namespace kubedbt::op {

nlohmann::json controller_reference(std::string_view kind, const api::ObjectMeta& owner) {
  return {{"apiVersion", std::string(api::kApiVersion)},
          {"kind", std::string(kind)},
          {"name", owner.name},
          {"uid", owner.uid},
          {"controller", true}};
}

}  // namespace kubedbt::op
