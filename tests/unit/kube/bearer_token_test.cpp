// Tests of bearer tokens: static, and service-account token files re-read on their period.
#include "kube/bearer_token.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "temp_dir.h"

namespace kubedbt::kube {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// A clock the test moves by hand.
struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point{} + 1h};
  BearerToken::Clock fn() {
    return [this] { return now; };
  }
};

TEST(BearerTokenTest, StaticTokenAndNoToken) {
  Config config;
  EXPECT_EQ(BearerToken(config).current(), "");
  config.token = "abc";
  EXPECT_EQ(BearerToken(config).current(), "abc");
}

TEST(BearerTokenTest, TokenFileIsReReadAfterThePeriod) {
  TempDir dir;
  Config config;
  config.token_file = dir.write("token", "first\n");
  config.token_reload_period = 60s;
  ManualClock clock;
  BearerToken token(config, clock.fn());

  EXPECT_EQ(token.current(), "first");  // trailing newline trimmed
  dir.write("token", "second");
  clock.now += 59s;
  EXPECT_EQ(token.current(), "first");  // still inside the period
  clock.now += 2s;
  EXPECT_EQ(token.current(), "second");
}

TEST(BearerTokenTest, InClusterTokenRotatesWithAShortPeriod) {
  TempDir sa;
  sa.write("token", "rotation-1");
  sa.write("ca.crt", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
  setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  Config config = in_cluster_config(sa.path());
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  config.token_reload_period = 1s;
  ManualClock clock;
  BearerToken token(config, clock.fn());

  EXPECT_EQ(token.current(), "rotation-1");
  for (int i = 2; i <= 4; ++i) {
    std::string next = "rotation-" + std::to_string(i);
    sa.write("token", next);
    clock.now += 1s;
    EXPECT_EQ(token.current(), next);
  }
}

TEST(BearerTokenTest, KeepsTheLastTokenWhenTheFileVanishes) {
  TempDir dir;
  Config config;
  config.token_file = dir.write("token", "kept");
  ManualClock clock;
  BearerToken token(config, clock.fn());
  EXPECT_EQ(token.current(), "kept");
  std::filesystem::remove(config.token_file);
  clock.now += 2min;
  EXPECT_EQ(token.current(), "kept");
}

TEST(BearerTokenTest, FirstReadFailureNamesTheFile) {
  Config config;
  config.token_file = "/no/such/token";
  BearerToken token(config);
  try {
    token.current();
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/token"), std::string::npos) << e.what();
  }
}

TEST(BearerTokenTest, EmptyTokenFileIsAnError) {
  TempDir dir;
  std::string path = dir.write("token", " \n");
  EXPECT_THROW(read_token_file(path), std::runtime_error);
}

}  // namespace
}  // namespace kubedbt::kube
