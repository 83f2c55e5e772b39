// Reads a whole file into memory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace kubedbt::runner {

// The file's bytes; nullopt when it cannot be opened.
std::optional<std::string> read_file(const std::filesystem::path& file);

}  // namespace kubedbt::runner
