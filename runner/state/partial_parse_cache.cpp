// The cache key hashes vars with SHA-256; the dbt version comes from the dist-info folder of
// dbt-core next to the dbt executable (<prefix>/bin/dbt, <prefix>/lib/pythonX.Y/site-packages).
#include "runner/state/partial_parse_cache.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kubedbt::runner {
namespace {

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 of the vars failed");
  }
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

std::filesystem::path find_executable(const std::string& dbt, const std::string& path_env) {
  if (dbt.find('/') != std::string::npos) return dbt;
  std::stringstream dirs(path_env);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    auto candidate = std::filesystem::path(dir) / dbt;
    std::error_code ec;
    if (!dir.empty() && std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return {};
}

}  // namespace

PartialParseKey partial_parse_key(const RunSpec& spec, const std::string& dbt_version) {
  // nlohmann::json keeps object keys sorted, so equal vars dump to equal text.
  return {spec.project, spec.target.name, spec.schema.value_or(""), dbt_version,
          sha256_hex(spec.vars.dump())};
}

std::string installed_dbt_version(const std::string& dbt, const std::string& path_env) {
  auto executable = find_executable(dbt, path_env);
  if (executable.empty()) return "";
  std::error_code ec;
  auto lib = executable.parent_path().parent_path() / "lib";
  if (!std::filesystem::is_directory(lib, ec)) return "";
  for (const auto& python : std::filesystem::directory_iterator(lib, ec)) {
    auto site = python.path() / "site-packages";
    if (python.path().filename().string().rfind("python", 0) != 0 ||
        !std::filesystem::is_directory(site, ec)) {
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(site, ec)) {
      auto name = entry.path().filename().string();
      const std::string prefix = "dbt_core-";
      const std::string suffix = ".dist-info";
      if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size() + suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      }
    }
  }
  return "";
}

void restore_partial_parse(const std::filesystem::path& target_path, const std::string& content) {
  std::filesystem::create_directories(target_path);
  auto file = target_path / kPartialParseFile;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::optional<std::string> read_partial_parse(const std::filesystem::path& target_path) {
  std::ifstream in(target_path / kPartialParseFile, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace kubedbt::runner
