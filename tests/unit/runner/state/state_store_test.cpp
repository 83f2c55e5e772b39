// The schemas a manifest builds into, as recorded in built_schemas for runs in their own schema.
#include "runner/state/state_store.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

TEST(StateStoreTest, SchemasBuiltByListsModelsSeedsAndSnapshotsOnce) {
  auto manifest = nlohmann::json::parse(R"({
    "nodes": {
      "model.shop.a": {"resource_type": "model", "schema": "pr_1", "config": {"materialized": "table"}},
      "model.shop.b": {"resource_type": "model", "schema": "pr_1", "config": {"materialized": "view"}},
      "model.shop.eph": {"resource_type": "model", "schema": "pr_1_hidden",
                         "config": {"materialized": "ephemeral"}},
      "seed.shop.countries": {"resource_type": "seed", "schema": "pr_1_reference", "config": {}},
      "snapshot.shop.s": {"resource_type": "snapshot", "schema": "snapshots", "config": {}},
      "test.shop.not_null": {"resource_type": "test", "schema": "pr_1_dbt_test__audit"}
    },
    "sources": {"source.shop.raw.orders": {"resource_type": "source", "schema": "raw"}}
  })");
  EXPECT_EQ(schemas_built_by(manifest),
            (std::vector<std::string>{"pr_1", "pr_1_reference", "snapshots"}));
  EXPECT_TRUE(schemas_built_by(nlohmann::json::object()).empty());
}

}  // namespace
}  // namespace kubedbt::runner
