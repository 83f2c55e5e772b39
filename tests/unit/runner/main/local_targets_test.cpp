// Local mode's targets file and its refusal of protected targets.
#include "runner/main/local_targets.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

constexpr const char* kTargets = R"(
profile: shop
targets:
  dev:
    host: localhost
    port: 5433
    user: me
    dbname: shop
    schema: dbt_me
    passwordEnv: DBT_ENV_SECRET_PG_PASSWORD
    extra:
      keepalives_idle: "30"
  prod:
    host: db.internal
    user: dbt
    dbname: shop
    schema: analytics
    passwordEnv: DBT_ENV_SECRET_PG_PASSWORD
    protected: true
)";

TEST(LocalTargetsTest, ParsesTargetsInTheRunSpecVocabulary) {
  auto t = parse_local_targets(kTargets, "kubedbt.yml");
  EXPECT_EQ(t.profile, "shop");
  ASSERT_EQ(t.targets.size(), 2u);
  const auto& dev = choose_local_target(t, "dev", "kubedbt.yml");
  EXPECT_EQ(dev.port, 5433);
  EXPECT_EQ(dev.schema, "dbt_me");
  EXPECT_EQ(dev.extra["keepalives_idle"], "30");  // quoted in YAML: stays a string
  EXPECT_TRUE(t.targets.at("prod").is_protected);
}

TEST(LocalTargetsTest, RefusesProtectedAndUnknownTargets) {
  auto t = parse_local_targets(kTargets, "kubedbt.yml");
  try {
    choose_local_target(t, "prod", "kubedbt.yml");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("kubedbt.yml: targets.prod: is protected"),
              std::string::npos);
  }
  try {
    choose_local_target(t, "staging", "kubedbt.yml");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("no such target (known: dev, prod)"), std::string::npos);
  }
}

TEST(LocalTargetsTest, ErrorsNameTheFileAndField) {
  try {
    parse_local_targets("targets:\n  dev:\n    host: h\n    port: many\n", "my.yml");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(std::string(e.what()), "my.yml.targets.dev.port: must be an integer, got string");
  }
  EXPECT_THROW(parse_local_targets("targets: [", "bad.yml"), SpecError);
  EXPECT_THROW(parse_local_targets("profile: x\n", "empty.yml"), SpecError);
}

}  // namespace
}  // namespace kubedbt::runner
