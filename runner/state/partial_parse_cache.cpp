// The cache key hashes vars with SHA-256.
#include "runner/state/partial_parse_cache.h"

#include <openssl/evp.h>

#include <fstream>
#include <stdexcept>

#include "runner/os/read_file.h"

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

}  // namespace

PartialParseKey partial_parse_key(const RunSpec& spec, const std::string& dbt_version) {
  // nlohmann::json keeps object keys sorted, so equal vars dump to equal text.
  return {spec.project, spec.target.name, spec.schema.value_or(""), dbt_version,
          sha256_hex(spec.vars.dump())};
}

void restore_partial_parse(const std::filesystem::path& target_path, const std::string& content) {
  std::filesystem::create_directories(target_path);
  auto file = target_path / kPartialParseFile;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::optional<std::string> read_partial_parse(const std::filesystem::path& target_path) {
  return read_file(target_path / kPartialParseFile);
}

}  // namespace kubedbt::runner
