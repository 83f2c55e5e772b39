// Slim CI end to end with the real runner, dbt and PostgreSQL: a run deferred to prod builds only
// the changed model (and its children) against prod's stored manifest, and without a stored
// manifest it builds everything and says so.
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;

std::set<std::string> models_in(const json& run_results) {
  std::set<std::string> models;
  for (const auto& r : run_results.at("results")) {
    auto id = r.at("unique_id").get<std::string>();
    if (id.rfind("model.", 0) == 0) models.insert(id);
  }
  return models;
}

class SlimCiTest : public ::testing::Test {
 protected:
  TestDatabase db{"slimci"};
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
  }

  json prod_spec() {
    auto spec = dev_spec(db, project, "analytics");
    spec["target"]["name"] = "prod";
    return spec;
  }

  // A pull request's run: target ci, its own schema, deferred to prod, modified models only.
  json ci_spec(const std::string& schema) {
    auto spec = dev_spec(db, project, "ci_base");
    spec["target"]["name"] = "ci";
    spec["schema"] = schema;
    spec["defer"] = {{"to", "prod"}};
    spec["select"] = "state:modified+";
    return spec;
  }
};

TEST_F(SlimCiTest, WithoutAStoredManifestEveryModelIsBuiltAndTheStatusSaysSo) {
  auto r = run_runner(ci_spec("pr_1"), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["deferral"], (json{{"to", "prod"}, {"manifestFound", false}}));
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("No production manifest of target prod is stored yet, so every model "
                         "was built (state selectors dropped: state:modified+)."),
            std::string::npos)
      << message;
  EXPECT_EQ(r.status["summary"]["models"]["success"], 5);
  EXPECT_EQ(models_in(read_json_file(r.work_dir / "target" / "run_results.json")).size(), 5u);
  EXPECT_EQ(db.value("select count(*) from pr_1.stg_orders"), "1000");
}

TEST_F(SlimCiTest, WithAStoredManifestOnlyTheChangedModelAndItsChildrenAreBuilt) {
  auto prod = run_runner(prod_spec(), dir.path());
  ASSERT_EQ(prod.exit_code, 0) << prod.err;
  ASSERT_EQ(db.value("select target from kubedbt_prod.production_manifests"), "prod");

  // The pull request changes fct_orders only.
  auto model = project / "models/marts/fct_orders.sql";
  auto sql = read_text(model);
  auto at = sql.find("coalesce(p.payment_count, 0) as payment_count");
  ASSERT_NE(at, std::string::npos);
  sql.insert(at, "1 as pull_request_marker,\n    ");
  write_file(model, sql);

  TempDir pod;
  auto r = run_runner(ci_spec("pr_2"), pod.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["deferral"], (json{{"to", "prod"}, {"manifestFound", true}}));
  EXPECT_EQ(r.status["message"].get<std::string>().find("No production manifest"),
            std::string::npos);
  auto built = models_in(read_json_file(r.work_dir / "target" / "run_results.json"));
  EXPECT_EQ(built, (std::set<std::string>{"model.shop.fct_orders", "model.shop.dim_customers"}));
  EXPECT_EQ(r.status["summary"]["models"]["success"], 2);
  // The changed model read prod's unchanged parents (deferral): no staging views in pr_2.
  EXPECT_EQ(db.value("select count(pull_request_marker) from pr_2.fct_orders"), "1000");
  EXPECT_EQ(db.value("select count(*) from information_schema.tables where table_schema = 'pr_2'"),
            "2");
  EXPECT_EQ(db.value("select count(*) from pr_2.dim_customers"),
            db.value("select count(*) from analytics.dim_customers"));
  // prod's manifest stays prod's: the CI run is not production, and its state is its target's.
  EXPECT_EQ(db.value("select count(*) from kubedbt_prod.production_manifests"), "1");
  EXPECT_EQ(db.value("select count(*) from kubedbt_ci.production_manifests"), "0");
  EXPECT_EQ(db.value("select run_schema from kubedbt_ci.runs"), "pr_2");
  EXPECT_EQ(
      db.value(
          "select r.target from kubedbt_prod.production_manifests m join kubedbt_prod.runs r on "
          "r.id = m.run_id"),
      "prod");
}

TEST_F(SlimCiTest, AnUnchangedProjectBuildsNothing) {
  ASSERT_EQ(run_runner(prod_spec(), dir.path()).exit_code, 0);
  TempDir pod;
  auto r = run_runner(ci_spec("pr_3"), pod.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["deferral"]["manifestFound"], true);
  EXPECT_EQ(r.status["summary"]["models"].value("success", 0), 0);
  EXPECT_FALSE(db.schema_exists("pr_3"));
}

}  // namespace
}  // namespace kubedbt::testing
