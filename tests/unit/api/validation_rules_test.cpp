// Tests of the shared name and shape checks behind validate().
#include "api/validation_rules.h"

#include <gtest/gtest.h>

namespace kubedbt::api::rules {
namespace {

TEST(ValidationRulesTest, DnsSubdomain) {
  for (const char* ok : {"a", "shop", "shop-warehouse", "a.b-c.d", "0abc"})
    EXPECT_TRUE(is_dns_subdomain(ok)) << ok;
  for (const char* bad : {"", "Shop", "-a", "a-", "a..b", ".a", "a.", "a_b", "a b"}) {
    EXPECT_FALSE(is_dns_subdomain(bad)) << bad;
  }
  EXPECT_TRUE(is_dns_subdomain(std::string(63, 'a')));
  EXPECT_FALSE(is_dns_subdomain(std::string(64, 'a')));
}

TEST(ValidationRulesTest, TargetNamesIdentifiersAndKeys) {
  EXPECT_TRUE(is_target_name("prod"));
  EXPECT_TRUE(is_target_name("ci_pr-42"));
  EXPECT_FALSE(is_target_name("-prod"));
  EXPECT_FALSE(is_target_name("prod env"));
  EXPECT_FALSE(is_target_name(std::string(64, 'a')));
  EXPECT_TRUE(is_identifier("_analytics_2"));
  EXPECT_FALSE(is_identifier("2analytics"));
  EXPECT_FALSE(is_identifier("ana-lytics"));
  EXPECT_FALSE(is_identifier(std::string(64, 'a')));
  EXPECT_TRUE(is_secret_key("tls.crt"));
  EXPECT_TRUE(is_secret_key("ssh-privatekey"));
  EXPECT_FALSE(is_secret_key("a/b"));
  EXPECT_TRUE(is_env_name("DBT_PASSWORD"));
  EXPECT_FALSE(is_env_name("DBT-PASSWORD"));
}

TEST(ValidationRulesTest, SshGitUrls) {
  EXPECT_TRUE(is_ssh_git_url("ssh://git@github.com/acme/shop.git"));
  EXPECT_TRUE(is_ssh_git_url("git+ssh://github.com/acme/shop.git"));
  EXPECT_TRUE(is_ssh_git_url("git@github.com:acme/shop.git"));
  EXPECT_FALSE(is_ssh_git_url("https://github.com/acme/shop.git"));
  EXPECT_FALSE(is_ssh_git_url("https://github.com/a@b:c/shop.git"));
  EXPECT_FALSE(is_ssh_git_url("file:///srv/shop.git"));
}

TEST(ValidationRulesTest, GitUrlsWithCredentials) {
  EXPECT_TRUE(git_url_has_credentials("https://user:ghp_x@github.com/acme/shop.git"));
  EXPECT_TRUE(git_url_has_credentials("https://ghp_token@github.com/acme/shop.git"));
  EXPECT_TRUE(git_url_has_credentials("http://u@git.local/shop.git"));
  EXPECT_TRUE(git_url_has_credentials("ssh://git:hunter2@github.com/acme/shop.git"));
  EXPECT_FALSE(git_url_has_credentials("ssh://git@github.com/acme/shop.git"))
      << "ssh's user name is no secret";
  EXPECT_FALSE(git_url_has_credentials("git@github.com:acme/shop.git"));
  EXPECT_FALSE(git_url_has_credentials("https://github.com/acme/sh@p.git")) << "in the path";
}

TEST(ValidationRulesTest, TimeZoneShape) {
  for (const char* ok :
       {"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+1", "Etc/GMT-14"}) {
    EXPECT_TRUE(looks_like_time_zone(ok)) << ok;
  }
  for (const char* bad :
       {"", "/Europe", "Europe/", "Europe//Berlin", "+02:00", "GMT +1", "1Zone"}) {
    EXPECT_FALSE(looks_like_time_zone(bad)) << bad;
  }
}

}  // namespace
}  // namespace kubedbt::api::rules
