// Secret masking in text the runner writes.
#include "runner/os/secret_scrubber.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

TEST(SecretScrubberTest, MasksSecretVariablesOnly) {
  auto s = SecretScrubber::from_environment({{"DBT_ENV_SECRET_PG", "s3cr3t-value"},
                                             {"KUBEDBT_GIT_TOKEN", "ghp_token123"},
                                             {"HOME", "/root"},
                                             {"DBT_ENV_SECRET_SHORT", "ab"}});
  EXPECT_EQ(s.scrub("pw=s3cr3t-value token=ghp_token123 home=/root ab"),
            "pw=***** token=***** home=/root ab");
  EXPECT_EQ(s.scrub("s3cr3t-values3cr3t-value"), "**********");
}

TEST(SecretScrubberTest, MasksALongerSecretWhole) {
  SecretScrubber s({"abcd", "abcdefgh"});
  EXPECT_EQ(s.scrub("xabcdefghx"), "x*****x");
}

}  // namespace
}  // namespace kubedbt::runner
