// Blue-green planning from two manifests: which nodes count, how schemas pair, what is refused.
#include "runner/deploy/blue_green_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

json node(const std::string& type, const std::string& schema, const std::string& alias,
          const std::string& materialized = "table", const std::string& database = "shop") {
  return {{"resource_type", type},
          {"database", database},
          {"schema", schema},
          {"alias", alias},
          {"config", {{"materialized", materialized}}}};
}

// The example shop's shape: models in the target schema, seeds in the custom schema "reference",
// dbt's default generate_schema_name.
json manifest(const std::string& target_schema) {
  json m = {{"nodes", json::object()}};
  auto& n = m["nodes"];
  n["model.shop.fct_orders"] = node("model", target_schema, "fct_orders");
  n["model.shop.stg_orders"] = node("model", target_schema, "stg_orders", "view");
  n["model.shop.helper"] = node("model", target_schema + "_ephemeral", "helper", "ephemeral");
  n["seed.shop.countries"] = node("seed", target_schema + "_reference", "countries", "seed");
  n["snapshot.shop.orders_snapshot"] =
      node("snapshot", target_schema + "_snapshots", "orders_snapshot", "snapshot");
  n["test.shop.not_null_fct_orders_order_id"] =
      node("test", target_schema + "_dbt_test__audit", "not_null", "test");
  return m;
}

std::string describe(const PlanError& e) { return e.what(); }

std::string refusal(const json& production, const json& staging) {
  try {
    plan_blue_green(production, staging, "shop");
  } catch (const PlanError& e) {
    return describe(e);
  }
  return "no error";
}

TEST(BlueGreenPlan, PairsEverySchemaTheProjectWritesByNode) {
  auto plan =
      plan_blue_green(manifest("analytics"), manifest("analytics__kubedbt_staging"), "shop");
  EXPECT_THAT(plan.pairs,
              ElementsAre(SchemaPair{"analytics", "analytics__kubedbt_staging",
                                     "analytics__kubedbt_previous"},
                          SchemaPair{"analytics_reference", "analytics__kubedbt_staging_reference",
                                     "analytics_reference__kubedbt_previous"},
                          SchemaPair{"analytics_snapshots", "analytics__kubedbt_staging_snapshots",
                                     "analytics_snapshots__kubedbt_previous"}));
  // Ephemeral models and tests write nothing that is swapped.
  for (const auto& schema : plan.production_schemas()) {
    EXPECT_EQ(schema.find("ephemeral"), std::string::npos);
    EXPECT_EQ(schema.find("audit"), std::string::npos);
  }
}

TEST(BlueGreenPlan, ListsTheStagingRelationsTheSwapWaitsFor) {
  auto plan =
      plan_blue_green(manifest("analytics"), manifest("analytics__kubedbt_staging"), "shop");
  std::vector<std::string> relations;
  for (const auto& r : plan.relations) relations.push_back(r.schema + "." + r.name);
  std::sort(relations.begin(), relations.end());
  EXPECT_THAT(relations, ElementsAre("analytics__kubedbt_staging.fct_orders",
                                     "analytics__kubedbt_staging.stg_orders",
                                     "analytics__kubedbt_staging_reference.countries",
                                     "analytics__kubedbt_staging_snapshots.orders_snapshot"));
}

TEST(BlueGreenPlan, CarriesTheHistoryOfSnapshotsAndIncrementalModelsOnly) {
  auto production = manifest("analytics");
  auto staging = manifest("analytics__kubedbt_staging");
  production["nodes"]["model.shop.events"] = node("model", "analytics", "events", "incremental");
  staging["nodes"]["model.shop.events"] =
      node("model", "analytics__kubedbt_staging", "events", "incremental");
  auto plan = plan_blue_green(production, staging, "shop");
  std::vector<std::string> carried, carried_on_full_refresh;
  for (const auto& r : plan.relations) {
    if (r.carries_history(false)) {
      carried.push_back(r.production_schema + "." + r.production_name + " -> " + r.schema + "." +
                        r.name);
    }
    if (r.carries_history(true)) carried_on_full_refresh.push_back(r.node);
  }
  std::sort(carried.begin(), carried.end());
  EXPECT_THAT(carried, ElementsAre("analytics.events -> analytics__kubedbt_staging.events",
                                   "analytics_snapshots.orders_snapshot -> "
                                   "analytics__kubedbt_staging_snapshots.orders_snapshot"));
  // A full refresh rebuilds incremental models from scratch; snapshots are never refreshed.
  EXPECT_THAT(carried_on_full_refresh, ElementsAre("snapshot.shop.orders_snapshot"));
}

TEST(BlueGreenPlan, PairsByUniqueIdNotBySchemaName) {
  // A custom generate_schema_name that names staging schemas differently still pairs per node.
  auto staging = manifest("x");
  staging["nodes"]["model.shop.fct_orders"]["schema"] = "blue__kubedbt_staging";
  staging["nodes"]["model.shop.stg_orders"]["schema"] = "blue__kubedbt_staging";
  staging["nodes"]["seed.shop.countries"]["schema"] = "ref__kubedbt_staging";
  staging["nodes"]["snapshot.shop.orders_snapshot"]["schema"] = "snap__kubedbt_staging";
  auto plan = plan_blue_green(manifest("analytics"), staging, "shop");
  EXPECT_THAT(plan.staging_schemas(), ElementsAre("blue__kubedbt_staging", "ref__kubedbt_staging",
                                                  "snap__kubedbt_staging"));
}

TEST(BlueGreenPlan, RefusesAStagingSchemaEqualToAProductionSchema) {
  // A generate_schema_name that uses custom schemas verbatim: staging seeds would land in
  // production's "reference".
  auto production = manifest("analytics");
  auto staging = manifest("analytics__kubedbt_staging");
  production["nodes"]["seed.shop.countries"]["schema"] = "reference";
  staging["nodes"]["seed.shop.countries"]["schema"] = "reference";
  auto error = refusal(production, staging);
  EXPECT_THAT(error, HasSubstr("seed.shop.countries"));
  EXPECT_THAT(error, HasSubstr("\"reference\""));
  EXPECT_THAT(error, HasSubstr("generate_schema_name"));
}

TEST(BlueGreenPlan, RefusesAStagingSchemaThatIsAnotherNodesProductionSchema) {
  auto production = manifest("analytics");
  auto staging = manifest("analytics__kubedbt_staging");
  production["nodes"]["model.shop.other"] = node("model", "analytics__kubedbt_staging", "other");
  staging["nodes"]["model.shop.other"] = node("model", "z__kubedbt_staging", "other");
  EXPECT_THAT(refusal(production, staging), HasSubstr("is a production schema"));
}

TEST(BlueGreenPlan, RefusesNamesLongerThanPostgresKeeps) {
  // "<30 bytes>_reference": staging "<30>__kubedbt_staging_reference" is 57 bytes, the backup 58.
  std::string long_schema(30, 'a');
  EXPECT_NO_THROW(
      plan_blue_green(manifest(long_schema), manifest(staging_target_schema(long_schema)), "shop"));
  // With 45 bytes the seeds' staging schema would need 72.
  EXPECT_THAT(
      refusal(manifest(std::string(45, 'a')), manifest(std::string(45, 'a') + "__kubedbt_staging")),
      HasSubstr("63"));
  EXPECT_THROW(staging_target_schema(std::string(47, 'a')), PlanError);
  EXPECT_NO_THROW(staging_target_schema(std::string(46, 'a')));
  EXPECT_THROW(previous_schema(std::string(46, 'a')), PlanError);
}

TEST(BlueGreenPlan, RefusesAStagingSchemaWithoutTheMarker) {
  auto staging = manifest("analytics__kubedbt_staging");
  staging["nodes"]["seed.shop.countries"]["schema"] = "reference_staging";
  auto error = refusal(manifest("analytics"), staging);
  EXPECT_THAT(error, HasSubstr("reference_staging"));
  EXPECT_THAT(error, HasSubstr("__kubedbt_staging"));
}

TEST(BlueGreenPlan, RefusesANodeInAnotherDatabase) {
  auto production = manifest("analytics");
  auto staging = manifest("analytics__kubedbt_staging");
  production["nodes"]["model.shop.fct_orders"]["database"] = "warehouse";
  staging["nodes"]["model.shop.fct_orders"]["database"] = "warehouse";
  auto error = refusal(production, staging);
  EXPECT_THAT(error, HasSubstr("model.shop.fct_orders"));
  EXPECT_THAT(error, HasSubstr("\"warehouse\""));
}

TEST(BlueGreenPlan, RefusesOneSchemaPairedWithTwo) {
  auto staging = manifest("analytics__kubedbt_staging");
  staging["nodes"]["model.shop.stg_orders"]["schema"] = "analytics__kubedbt_staging_views";
  EXPECT_THAT(refusal(manifest("analytics"), staging), HasSubstr("one to one"));
}

TEST(BlueGreenPlan, RefusesManifestsWithDifferentNodes) {
  auto staging = manifest("analytics__kubedbt_staging");
  staging["nodes"].erase("model.shop.fct_orders");
  EXPECT_THAT(refusal(manifest("analytics"), staging), HasSubstr("model.shop.fct_orders"));
  EXPECT_THAT(refusal(json::object(), staging), HasSubstr("not a dbt manifest"));
}

TEST(BlueGreenPlan, CountsFunctionsButWaitsForNoRelationOfTheirs) {
  auto production = manifest("analytics");
  auto staging = manifest("analytics__kubedbt_staging");
  production["functions"]["function.shop.cents"] = {
      {"resource_type", "function"}, {"database", "shop"}, {"schema", "analytics_udf"}};
  staging["functions"]["function.shop.cents"] = {{"resource_type", "function"},
                                                 {"database", "shop"},
                                                 {"schema", "analytics__kubedbt_staging_udf"}};
  auto plan = plan_blue_green(production, staging, "shop");
  EXPECT_EQ(plan.pairs.size(), 4u);
  EXPECT_EQ(plan.relations.size(), 4u);
}

}  // namespace
}  // namespace kubedbt::runner
