// Reads what the Node reports about this machine.
#include "tests/cluster/node-agent/node_facts.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace kubedbt::node_agent {
namespace {

std::string os_pretty_name() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string value = line.substr(12);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return "Linux";
}

// uname's machine in Go's GOARCH spelling, as node labels use it.
std::string go_architecture(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i686" || machine == "i386") return "386";
  return machine;
}

}  // namespace

NodeFacts gather_node_facts(const std::string& name, const std::string& address, int64_t max_pods) {
  NodeFacts facts;
  facts.name = name;
  facts.address = address;
  facts.max_pods = max_pods;
  facts.cpus = std::max(1u, std::thread::hardware_concurrency());
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) facts.memory_bytes = static_cast<int64_t>(pages) * page_size;
  struct utsname system {};
  if (uname(&system) == 0) {
    facts.kernel_version = system.release;
    facts.architecture = go_architecture(system.machine);
  }
  facts.os_image = os_pretty_name();
  return facts;
}

}  // namespace kubedbt::node_agent
