// Base64 decoding of Secret data and ConfigMap binaryData (standard alphabet, padded).
#pragma once

#include <string>
#include <string_view>

namespace kubedbt::node_agent {

// Decodes standard base64; whitespace is ignored. Throws std::invalid_argument on bad input.
std::string base64_decode(std::string_view text);

}  // namespace kubedbt::node_agent
