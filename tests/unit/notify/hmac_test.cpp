// HMAC-SHA256 against RFC 4231's test vectors, and the webhook signature's signed text.
#include "notify/hmac.h"

#include <gtest/gtest.h>

namespace kubedbt::notify {
namespace {

TEST(NotifyHmac, MatchesRfc4231TestCase2) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(NotifyHmac, MatchesRfc4231TestCase1) {
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(NotifyHmac, TheSignatureCoversTimestampAndBody) {
  auto s = webhook_signature("key", "1700000000", "{\"a\":1}");
  EXPECT_EQ(s, "sha256=" + hmac_sha256_hex("key", "1700000000.{\"a\":1}"));
  EXPECT_NE(s, webhook_signature("key", "1700000001", "{\"a\":1}"));
  EXPECT_NE(s, webhook_signature("other", "1700000000", "{\"a\":1}"));
}

}  // namespace
}  // namespace kubedbt::notify
