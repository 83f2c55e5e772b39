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

TEST(SecretScrubberTest, MasksNotificationSecrets) {
  auto s = SecretScrubber::from_environment(
      {{"KUBEDBT_NOTIFY_0_URL", "https://hooks.slack.example/T/B/xyz"},
       {"KUBEDBT_NOTIFY_1_HMAC", "hmac-key-1"},
       {"KUBEDBT_NOTIFY_2_SMTP_PASSWORD", "smtp-pw-2"},
       {"KUBEDBT_NOTIFY_2_SMTP_TLS", "true"}});
  EXPECT_EQ(s.scrub("posting to https://hooks.slack.example/T/B/xyz with hmac-key-1, smtp-pw-2, "
                    "tls true"),
            "posting to ***** with *****, *****, tls true");
}

TEST(SecretScrubberTest, MasksALongerSecretWhole) {
  SecretScrubber s({"abcd", "abcdefgh"});
  EXPECT_EQ(s.scrub("xabcdefghx"), "x*****x");
}

}  // namespace
}  // namespace kubedbt::runner
