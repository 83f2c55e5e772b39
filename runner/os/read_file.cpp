// read_file through a binary ifstream, so the bytes come back as they are on disk.
#include "runner/os/read_file.h"

#include <fstream>
#include <sstream>

namespace kubedbt::runner {

std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace kubedbt::runner
