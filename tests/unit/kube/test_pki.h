// Generates throw-away certificates in memory for TLS tests.
#pragma once

#include <string>

namespace kubedbt::kube::testing {

struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed P-256 certificate with this common name, valid for a day.
KeyPair self_signed(const std::string& common_name);

}  // namespace kubedbt::kube::testing
