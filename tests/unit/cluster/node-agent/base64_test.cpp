// Tests of Secret data decoding.
#include "tests/cluster/node-agent/base64.h"

#include <gtest/gtest.h>

namespace kubedbt::node_agent {
namespace {

TEST(Base64Decode, DecodesPaddedAndUnpaddedText) {
  EXPECT_EQ(base64_decode("aHVudGVyMg=="), "hunter2");
  EXPECT_EQ(base64_decode("YWJj"), "abc");
  EXPECT_EQ(base64_decode("YQ=="), "a");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64Decode, IgnoresLineBreaksAndKeepsBinaryBytes) {
  EXPECT_EQ(base64_decode("YW\nJj\r\n"), "abc");
  EXPECT_EQ(base64_decode("AP8="), std::string("\x00\xff", 2));
}

TEST(Base64Decode, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_THROW(base64_decode("a*bc"), std::invalid_argument);
  EXPECT_THROW(base64_decode("YQ==YQ"), std::invalid_argument);
}

}  // namespace
}  // namespace kubedbt::node_agent
