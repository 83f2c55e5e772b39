// Tests of the strict base64 decoder used for kubeconfig *-data fields.
#include "kube/base64.h"

#include <gtest/gtest.h>

namespace kubedbt::kube {
namespace {

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVsbG8"), "hello");
  EXPECT_EQ(base64_decode("aGVsbG8h"), "hello!");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64Test, IgnoresLineBreaks) { EXPECT_EQ(base64_decode("aGVs\nbG8h\r\n"), "hello!"); }

TEST(Base64Test, DecodesBinaryBytes) {
  EXPECT_EQ(base64_decode("/+8A"), std::string("\xff\xef\x00", 3));
}

TEST(Base64Test, RejectsForeignCharacters) {
  EXPECT_THROW(base64_decode("aGVs*G8h"), std::invalid_argument);
  EXPECT_THROW(base64_decode("-----BEGIN"), std::invalid_argument);
}

TEST(Base64Test, RejectsDataAfterPadding) {
  EXPECT_THROW(base64_decode("aGVsbG8=aGVs"), std::invalid_argument);
}

TEST(Base64Test, RejectsTruncatedInput) {
  EXPECT_THROW(base64_decode("aGVsb"), std::invalid_argument);
}

}  // namespace
}  // namespace kubedbt::kube
