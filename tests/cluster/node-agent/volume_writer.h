// Writes rendered volume files to the pod's folder under the state dir, each one atomically.
#pragma once

#include <string>
#include <vector>

#include "tests/cluster/node-agent/volume_files.h"

namespace kubedbt::node_agent {

// Creates `dir` (mode 0755) and writes every file through a temporary name and rename(2), so a
// reader never sees half a file (a renewed token replaces the old one at once). Throws
// std::runtime_error naming the path.
void write_volume_files(const std::string& dir, const std::vector<VolumeFile>& files);

// mkdir -p with `mode` for the folders it creates. Throws std::runtime_error naming the path.
void make_directories(const std::string& path, unsigned mode = 0755);

// Writes `content` to `path` (created or truncated) with `mode`, through a temporary file.
void write_file_atomically(const std::string& path, const std::string& content, unsigned mode);

}  // namespace kubedbt::node_agent
