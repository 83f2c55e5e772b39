// profiles.yml rendering: the password only as env_var(), threads, sslmode and extra keys.
#include "runner/dbt/profiles.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "runner/spec/run_spec.h"

namespace kubedbt::runner {
namespace {

TargetSpec target() {
  TargetSpec t;
  t.name = "prod";
  t.host = "db.internal";
  t.port = 6432;
  t.user = "dbt: runner";  // needs quoting in YAML
  t.dbname = "shop";
  t.schema = "analytics";
  t.threads = 8;
  t.sslmode = "require";
  t.password_env = "DBT_ENV_SECRET_PG_PASSWORD";
  t.extra = {{"keepalives_idle", 30}, {"search_path", "analytics,public"}, {"retries", 3}};
  return t;
}

TEST(ProfilesTest, RendersTheTargetWithThePasswordAsAnEnvVar) {
  auto node = YAML::Load(render_profiles("shop", target()));
  EXPECT_EQ(node["shop"]["target"].as<std::string>(), "prod");
  auto out = node["shop"]["outputs"]["prod"];
  EXPECT_EQ(out["type"].as<std::string>(), "postgres");
  EXPECT_EQ(out["host"].as<std::string>(), "db.internal");
  EXPECT_EQ(out["port"].as<int>(), 6432);
  EXPECT_EQ(out["user"].as<std::string>(), "dbt: runner");
  EXPECT_EQ(out["password"].as<std::string>(), "{{ env_var('DBT_ENV_SECRET_PG_PASSWORD') }}");
  EXPECT_EQ(out["dbname"].as<std::string>(), "shop");
  EXPECT_EQ(out["schema"].as<std::string>(), "analytics");
  EXPECT_EQ(out["threads"].as<int>(), 8);
  EXPECT_EQ(out["sslmode"].as<std::string>(), "require");
  EXPECT_EQ(out["keepalives_idle"].as<int>(), 30);
  EXPECT_EQ(out["search_path"].as<std::string>(), "analytics,public");
}

TEST(ProfilesTest, APostgresTargetProbesIdleConnectionsUnlessItSaysOtherwise) {
  auto t = target();
  t.extra = nlohmann::json::object();
  auto node = YAML::Load(render_profiles("shop", t));
  EXPECT_EQ(node["shop"]["outputs"]["prod"]["keepalives_idle"].as<int>(), 30);
  t.extra = {{"keepalives_idle", 120}};
  node = YAML::Load(render_profiles("shop", t));
  EXPECT_EQ(node["shop"]["outputs"]["prod"]["keepalives_idle"].as<int>(), 120);
}

TEST(ProfilesTest, LeavesSslmodeOutWhenUnset) {
  auto t = target();
  t.sslmode.reset();
  auto node = YAML::Load(render_profiles("shop", t));
  EXPECT_FALSE(node["shop"]["outputs"]["prod"]["sslmode"]);
}

TEST(ProfilesTest, ARunWithItsOwnSchemaRendersThatSchema) {
  RunSpec spec;
  spec.target = target();
  spec.schema = "pr_42";
  auto node = YAML::Load(render_profiles("shop", run_target(spec)));
  EXPECT_EQ(node["shop"]["outputs"]["prod"]["schema"].as<std::string>(), "pr_42");
  spec.schema.reset();
  EXPECT_EQ(run_target(spec).schema, "analytics");
}

}  // namespace
}  // namespace kubedbt::runner
