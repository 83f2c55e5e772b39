// Target validation: types, sslmode, the secret variable's prefix, extras.
#include "runner/spec/target_spec.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

nlohmann::json target() {
  return {{"host", "db"},
          {"user", "u"},
          {"database", "shop"},
          {"schema", "analytics"},
          {"passwordEnv", "DBT_ENV_SECRET_PW"}};
}

std::string error_of(const nlohmann::json& j) {
  try {
    parse_target(JsonFields(j, "targets.dev"), "dev");
  } catch (const SpecError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TargetSpecTest, DatabaseIsAnAliasOfDbname) {
  auto t = parse_target(JsonFields(target(), "t"), "dev");
  EXPECT_EQ(t.dbname, "shop");
  EXPECT_EQ(t.name, "dev");
  EXPECT_FALSE(t.is_protected);
}

TEST(TargetSpecTest, RefusesWhatItCannotUse) {
  auto j = target();
  j["type"] = "snowflake";
  EXPECT_EQ(error_of(j), "targets.dev.type: \"snowflake\" is not supported (supported: postgres)");
  j = target();
  j["passwordEnv"] = "PG_PASSWORD";
  EXPECT_NE(error_of(j).find("targets.dev.passwordEnv: must be an environment variable name "
                             "starting with DBT_ENV_SECRET_"),
            std::string::npos);
  j = target();
  j["sslmode"] = "maybe";
  EXPECT_NE(error_of(j).find("targets.dev.sslmode: \"maybe\" is not one of"), std::string::npos);
  j = target();
  j["extra"] = {{"schema", "other"}};
  EXPECT_EQ(error_of(j),
            "targets.dev.extra.schema: is set by the runner from the target's own fields");
  j = target();
  j["extra"] = {{"keepalives_idle", {1, 2}}};
  EXPECT_EQ(error_of(j), "targets.dev.extra.keepalives_idle: must be a string, number or boolean");
  j = target();
  j["dbname"] = "other";
  EXPECT_EQ(error_of(j), "targets.dev.database: contradicts dbname; give one of them");
  j = target();
  j["threads"] = 0;
  EXPECT_EQ(error_of(j), "targets.dev.threads: must be between 1 and 64, got 0");
}

}  // namespace
}  // namespace kubedbt::runner
