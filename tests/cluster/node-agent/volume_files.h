// The files of a pod's ConfigMap, Secret, downwardAPI and projected volumes, rendered in memory
// (what to write, with which mode) so that writing them is a separate, dumb step.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/cluster/node-agent/downward_api.h"
#include "tests/cluster/node-agent/object_source.h"

namespace kubedbt::node_agent {

// One file of a volume, at a path relative to the volume's root.
struct VolumeFile {
  std::string path;
  std::string content;
  mode_t mode = 0644;
};

// How a volume reaches the container.
enum class VolumeKind {
  Files,     // rendered files (configMap, secret, downwardAPI, projected)
  EmptyDir,  // an empty folder of the pod's own
  HostPath,  // a host folder or file, bind-mounted as it is
};

struct RenderedVolume {
  VolumeKind kind = VolumeKind::Files;
  std::vector<VolumeFile> files;
  std::string host_path;  // HostPath only
  // Earliest time a projected token should be renewed (80% of its lifetime), if there is one.
  std::optional<std::chrono::system_clock::time_point> refresh_at;
};

// Renders `volume` (an entry of pod.spec.volumes). Throws ContainerConfigError when a required
// object or key is missing, an item path escapes the volume, or the volume type is unsupported.
RenderedVolume render_volume(const Json& pod, const Json& volume, ObjectSource& objects,
                             TokenSource& tokens, const PodRuntimeFacts& facts,
                             std::chrono::system_clock::time_point now);

// A relative path that stays inside its volume: not absolute, no ".." element, not empty.
bool is_safe_relative_path(const std::string& path);

}  // namespace kubedbt::node_agent
