// Kubernetes resource quantities ("500m", "1Gi", "2", "1e3") as numbers, for the downward API.
#pragma once

#include <string>

namespace kubedbt::node_agent {

// The value of a quantity in base units (cores, bytes). Throws std::invalid_argument naming the
// text when it is not a quantity.
long double parse_quantity(const std::string& text);

}  // namespace kubedbt::node_agent
