// zlib compression of stored artifacts (a manifest shrinks about tenfold).
#pragma once

#include <string>
#include <string_view>

namespace kubedbt::runner {

// zlib stream (RFC 1950) of `data` at the default level.
std::string compress_artifact(std::string_view data);

// The original bytes of a zlib stream; throws std::runtime_error when it is not one.
std::string decompress_artifact(std::string_view compressed);

}  // namespace kubedbt::runner
