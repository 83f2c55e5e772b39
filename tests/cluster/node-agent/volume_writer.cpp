// Writes rendered volume files to the pod's folder, each one atomically.
#include "tests/cluster/node-agent/volume_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace kubedbt::node_agent {
namespace {

std::runtime_error system_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

void make_directories(const std::string& path, unsigned mode) {
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (prefix.empty()) continue;
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) throw system_error("mkdir", prefix);
  }
}

void write_file_atomically(const std::string& path, const std::string& content, unsigned mode) {
  const std::string temporary = path + ".kubedbt-tmp";
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw system_error("open", temporary);
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto error = system_error("write", temporary);
      close(fd);
      throw error;
    }
    written += static_cast<std::size_t>(n);
  }
  if (fchmod(fd, mode) != 0) {
    auto error = system_error("chmod", temporary);
    close(fd);
    throw error;
  }
  close(fd);
  if (rename(temporary.c_str(), path.c_str()) != 0) throw system_error("rename", path);
}

void write_volume_files(const std::string& dir, const std::vector<VolumeFile>& files) {
  make_directories(dir);
  for (const auto& file : files) {
    if (!is_safe_relative_path(file.path)) {
      throw std::runtime_error("volume file path escapes " + dir + ": " + file.path);
    }
    const std::string path = dir + "/" + file.path;
    make_directories(path.substr(0, path.rfind('/')));
    write_file_atomically(path, file.content, file.mode);
  }
}

}  // namespace kubedbt::node_agent
