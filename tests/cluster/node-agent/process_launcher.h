// Starts a container's command as a local process: its own session (process group), a private
// mount namespace with the pod's volumes bind-mounted, its user/group, and its log file.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kubedbt::node_agent {

// A bind mount made inside the child's private mount namespace.
struct BindMount {
  std::string source;  // host path (a folder or a file)
  std::string target;  // absolute path as the container sees it; created when missing
  bool read_only = false;
  bool is_file = false;
};

struct LaunchSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in the PATH of `env` unless it has a '/'
  std::vector<std::string> env;   // NAME=value
  std::string working_dir = "/";
  std::vector<BindMount> mounts;  // made in this order (parents first)
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::vector<uint32_t> supplemental_groups;
  std::string log_path;  // stdout and stderr are appended here; stdin is /dev/null
};

// The process could not be started (the CRI's StartError): bad mount, missing executable.
class StartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Forks and execs `spec`; returns the pid, which is also the process group id. The caller reaps
// it with waitpid. Throws StartError (after reaping the child) when it never reached exec.
pid_t launch_process(const LaunchSpec& spec);

// The executable paths to try for argv[0], in order, given the container's PATH.
std::vector<std::string> executable_candidates(const std::string& command, const std::string& path);

}  // namespace kubedbt::node_agent
