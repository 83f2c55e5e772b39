// Unpredictable identifiers (webhook delivery ids, e-mail Message-IDs) from OpenSSL's generator.
#pragma once

#include <cstddef>
#include <string>

namespace kubedbt::notify {

// `bytes` random bytes as lowercase hex (twice as many characters).
std::string random_hex(std::size_t bytes);

}  // namespace kubedbt::notify
