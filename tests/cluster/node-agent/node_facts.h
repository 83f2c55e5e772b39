// Reads what the Node reports about this machine: CPUs, memory, kernel, OS image, architecture.
#pragma once

#include <string>

#include "tests/cluster/node-agent/node_manifest.h"

namespace kubedbt::node_agent {

// Facts of the local machine for a node called `name` at `address`.
NodeFacts gather_node_facts(const std::string& name, const std::string& address, int64_t max_pods);

}  // namespace kubedbt::node_agent
