// Slim CI helpers: built relations, state selectors, the --state folder and the message without a
// manifest.
#include "runner/state/slim_ci.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace kubedbt::runner {
namespace {

RunSpec ci_spec() {
  RunSpec s;
  s.defer = DeferSpec{"prod"};
  return s;
}

TEST(SlimCiTest, BuiltRelationsAreTheModelsSeedsAndSnapshotsByAliasNotEphemeralsOrTests) {
  auto manifest = nlohmann::json::parse(R"({"nodes": {
    "model.shop.a": {"resource_type": "model", "schema": "analytics", "name": "a", "alias": "a_v2"},
    "model.shop.eph": {"resource_type": "model", "schema": "analytics", "name": "eph",
                       "config": {"materialized": "ephemeral"}},
    "seed.shop.countries": {"resource_type": "seed", "schema": "analytics_reference",
                            "name": "countries"},
    "snapshot.shop.s": {"resource_type": "snapshot", "schema": "snapshots", "name": "s",
                        "alias": "s"},
    "test.shop.not_null": {"resource_type": "test", "schema": "analytics", "name": "not_null"}}})");
  auto relations = built_relations(manifest);
  std::vector<std::string> seen;
  for (const auto& [id, r] : relations) seen.push_back(id + "=" + r.schema + "." + r.name);
  EXPECT_EQ(seen, (std::vector<std::string>{"model.shop.a=analytics.a_v2",
                                            "seed.shop.countries=analytics_reference.countries",
                                            "snapshot.shop.s=snapshots.s"}));
  EXPECT_TRUE(built_relations(nlohmann::json::object()).empty());
}

TEST(SlimCiTest, RecognisesStateSelectors) {
  EXPECT_TRUE(is_state_selector("state:modified+"));
  EXPECT_TRUE(is_state_selector("+state:modified.body"));
  EXPECT_TRUE(is_state_selector("state:new,tag:daily"));
  EXPECT_FALSE(is_state_selector("tag:daily"));
  EXPECT_FALSE(is_state_selector("fct_orders+"));
}

TEST(SlimCiTest, DropsOnlyStateSelectorsFromSelectAndExclude) {
  auto spec = ci_spec();
  spec.select = {"state:modified+", "tag:daily"};
  spec.exclude = {"state:unmodified", "stg_payments"};
  auto dropped = drop_state_selectors(spec);
  EXPECT_EQ(spec.select, std::vector<std::string>{"tag:daily"});
  EXPECT_EQ(spec.exclude, std::vector<std::string>{"stg_payments"});
  EXPECT_EQ(dropped, (std::vector<std::string>{"state:modified+", "state:unmodified"}));
}

TEST(SlimCiTest, TheMessageSaysEverythingWasBuiltWhenNothingIsLeftSelected) {
  auto spec = ci_spec();
  spec.select = {"state:modified+"};
  auto dropped = drop_state_selectors(spec);
  EXPECT_EQ(no_production_manifest_message(spec, dropped),
            "No production manifest of target prod is stored yet, so every model was built "
            "(state selectors dropped: state:modified+).");
  spec.select = {"tag:daily"};
  EXPECT_EQ(no_production_manifest_message(spec, {}),
            "No production manifest of target prod is stored yet, so the selection ran without "
            "deferral.");
}

TEST(SlimCiTest, WritesTheManifestWhereStateReadsIt) {
  char pattern[] = "/tmp/kubedbt-slim-ci-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  std::filesystem::path dir = std::filesystem::path(pattern) / "state";
  EXPECT_EQ(write_defer_state(dir, "{\"nodes\": {}}"), dir);
  std::ifstream in(dir / "manifest.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "{\"nodes\": {}}");
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace kubedbt::runner
