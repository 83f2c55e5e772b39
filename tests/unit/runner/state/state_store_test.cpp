// The schemas a run in its own schema records in built_schemas: only those its executed nodes
// build into, and only those that did not exist before it.
#include "runner/state/state_store.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

const nlohmann::json kManifest = nlohmann::json::parse(R"({
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

// A run_results.json artifact with one result per (unique_id, status).
RunArtifact run_results(const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& results) {
  nlohmann::json out{{"metadata", {{"invocation_id", "inv"}, {"dbt_version", "1.11.16"}}},
                     {"args", {{"which", "build"}}},
                     {"results", nlohmann::json::array()}};
  for (const auto& [id, status] : results) {
    out["results"].push_back({{"unique_id", id}, {"status", status}, {"execution_time", 0.1}});
  }
  return {name, out.dump()};
}

TEST(StateStoreTest, SchemasBuiltByListsExecutedModelsSeedsAndSnapshotsOnce) {
  std::set<std::string> all{"model.shop.a",        "model.shop.b",    "model.shop.eph",
                            "seed.shop.countries", "snapshot.shop.s", "test.shop.not_null"};
  EXPECT_EQ(schemas_built_by(kManifest, all),
            (std::vector<std::string>{"pr_1", "pr_1_reference", "snapshots"}));
  EXPECT_TRUE(schemas_built_by(nlohmann::json::object(), all).empty());
}

TEST(StateStoreTest, ANodeTheRunDidNotExecuteClaimsNoSchema) {
  // Slim CI built only model a: production's snapshot schema is not this run's.
  EXPECT_EQ(schemas_built_by(kManifest, {"model.shop.a"}), (std::vector<std::string>{"pr_1"}));
}

TEST(StateStoreTest, TheRunRecordsOnlySchemasItExecutedIntoThatDidNotExistBefore) {
  std::vector<RunArtifact> artifacts{
      run_results("01-build-run_results.json", {{"model.shop.a", "success"},
                                                {"seed.shop.countries", "success"},
                                                {"snapshot.shop.s", "skipped"}}),
      run_results("02-retry-run_results.json", {{"model.shop.b", "error"}}),
      {"manifest.json", kManifest.dump()},
      {"01-freshness-sources.json", "{}"}};
  // pr_1_reference was there before the run (someone else's, or an earlier run's record).
  EXPECT_EQ(schemas_created_by_run(kManifest, artifacts, {"public", "pr_1_reference"}, true),
            (std::vector<std::string>{"pr_1"}));
  EXPECT_EQ(schemas_created_by_run(kManifest, artifacts, {}, true),
            (std::vector<std::string>{"pr_1", "pr_1_reference"}));
}

TEST(StateStoreTest, AnInterruptedRunCountsEveryNodeButStillOnlyNewSchemas) {
  // Cancelled while building: dbt may leave no run_results, yet the seeds' schema was created.
  std::vector<RunArtifact> artifacts{{"manifest.json", kManifest.dump()}};
  EXPECT_EQ(schemas_created_by_run(kManifest, artifacts, {"snapshots"}, false),
            (std::vector<std::string>{"pr_1", "pr_1_reference"}));
  EXPECT_TRUE(schemas_created_by_run(kManifest, artifacts, {}, true).empty())
      << "complete results that list nothing: the run built nothing";
}

}  // namespace
}  // namespace kubedbt::runner
