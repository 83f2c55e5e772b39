// zlib round trips of artifacts, and refusal of bytes that are not a zlib stream.
#include "runner/state/artifact_codec.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace kubedbt::runner {
namespace {

TEST(ArtifactCodecTest, RoundTripsAndShrinksARepetitiveManifest) {
  std::string manifest = "{\"nodes\": {";
  for (int i = 0; i < 5000; ++i) {
    manifest += "\"model.shop.m" + std::to_string(i) + "\": {\"schema\": \"analytics\"},";
  }
  manifest += "}}";
  auto packed = compress_artifact(manifest);
  EXPECT_LT(packed.size() * 5, manifest.size());
  EXPECT_EQ(decompress_artifact(packed), manifest);
}

TEST(ArtifactCodecTest, RoundTripsEmptyAndBinaryContent) {
  EXPECT_EQ(decompress_artifact(compress_artifact("")), "");
  std::string binary;
  for (int i = 0; i < 200000; ++i) binary.push_back(static_cast<char>((i * 7919) % 256));
  EXPECT_EQ(decompress_artifact(compress_artifact(binary)), binary);
}

TEST(ArtifactCodecTest, RefusesGarbageAndTruncatedStreams) {
  EXPECT_THROW(decompress_artifact("{\"not\": \"zlib\"}"), std::runtime_error);
  auto packed = compress_artifact(std::string(100000, 'x') + "tail");
  try {
    decompress_artifact(packed.substr(0, packed.size() / 2));
    FAIL() << "a truncated stream was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kubedbt::runner
