// Strict base64 decoding: kubeconfig *-data fields, Secret data, ConfigMap binaryData.
#pragma once

#include <string>
#include <string_view>

namespace kubedbt::kube {

// Decodes standard base64 (whitespace ignored, '=' padding optional); throws std::invalid_argument
// naming the offending character or a truncated input.
std::string base64_decode(std::string_view text);

}  // namespace kubedbt::kube
