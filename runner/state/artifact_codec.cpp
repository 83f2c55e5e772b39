// compress_artifact / decompress_artifact over zlib's streaming API, so sizes beyond 4 GiB and
// streams of unknown original size both work.
#include "runner/state/artifact_codec.h"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace kubedbt::runner {
namespace {

constexpr size_t kChunk = 64 * 1024;

}  // namespace

std::string compress_artifact(std::string_view data) {
  z_stream z{};
  if (deflateInit(&z, Z_DEFAULT_COMPRESSION) != Z_OK) {
    throw std::runtime_error("zlib: cannot start compressing an artifact");
  }
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  size_t left = data.size();
  int rc = Z_OK;
  char buffer[kChunk];
  do {
    uInt take = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
    z.avail_in = take;
    left -= take;
    int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = kChunk;
      rc = deflate(&z, flush);
      out.append(buffer, kChunk - z.avail_out);
    } while (z.avail_out == 0);
  } while (rc != Z_STREAM_END);
  deflateEnd(&z);
  return out;
}

std::string decompress_artifact(std::string_view compressed) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw std::runtime_error("zlib: cannot start decompressing");
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  size_t left = compressed.size();
  char buffer[kChunk];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (z.avail_in == 0) {
      if (left == 0) break;
      uInt take = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
      z.avail_in = take;
      left -= take;
    }
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = kChunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      std::string reason = z.msg ? z.msg : "error " + std::to_string(rc);
      inflateEnd(&z);
      throw std::runtime_error("stored artifact is not a valid zlib stream: " + reason);
    }
    out.append(buffer, kChunk - z.avail_out);
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    throw std::runtime_error("stored artifact is not a valid zlib stream: it is truncated");
  }
  return out;
}

}  // namespace kubedbt::runner
