// HMAC-SHA256 signatures of webhook bodies.
#pragma once

#include <string>
#include <string_view>

namespace kubedbt::notify {

// Lower-case hex of HMAC-SHA256(key, data).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// The X-Kubedbt-Signature value: "sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>", where
// timestamp is the X-Kubedbt-Timestamp header (Unix seconds). Signing the timestamp with the body
// lets a receiver refuse replays of an old, validly signed body.
std::string webhook_signature(std::string_view key, std::string_view timestamp,
                              std::string_view body);

}  // namespace kubedbt::notify
