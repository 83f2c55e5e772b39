// A CI run's clean-up (kubedbt-runner drop-schema) with the real runner, dbt and PostgreSQL: it
// drops only the schemas the run created, never production's snapshot history or custom schemas
// a project names as they are, and never an object kubedbt did not create through CASCADE.
#include "runner/deploy/drop_schema.h"

#include <gtest/gtest.h>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

class DropSchemaTest : public ::testing::Test {
 protected:
  TestDatabase db;
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
  }

  // Every row of `relation`, hashed in a stable order: equal before and after means untouched.
  std::string fingerprint(const std::string& relation) const {
    return db.value(
        "select count(*) || ':' || md5(string_agg(t::text, '|' order by t::text)) from " +
        relation + " t");
  }

  // The schemas the store recorded for a run schema, comma-separated.
  std::string recorded(const std::string& run_schema) const {
    return db.value(
        "select coalesce(string_agg(schema, ',' order by schema), '') from "
        "kubedbt_dev.built_schemas where run_schema = '" +
        run_schema + "'");
  }

  RunnerResult run(const nlohmann::json& spec, const std::vector<std::string>& args = {}) {
    auto work = std::make_unique<TempDir>();
    RunnerOptions options;
    options.args = args;
    auto result = run_runner(spec, work->path(), options);
    work_dirs_.push_back(std::move(work));
    return result;
  }

  nlohmann::json ci_spec(const std::string& schema) const {
    auto spec = dev_spec(db, project);
    spec["schema"] = schema;
    return spec;
  }

  // Production builds `relation`; the CI run `ci` records only its own schema, and its clean-up
  // drops that and leaves `relation` byte-identical.
  void expect_cleanup_leaves_production(const nlohmann::json& ci, const std::string& relation) {
    auto production = run(dev_spec(db, project));
    ASSERT_EQ(production.exit_code, 0) << production.err;
    auto before = fingerprint(relation);
    auto built = run(ci);
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const std::string own = ci["schema"];
    EXPECT_EQ(recorded(own), own) << "only the schema the run created is its own";
    auto cleanup = run(ci, {"drop-schema"});
    ASSERT_EQ(cleanup.exit_code, 0) << cleanup.err;
    EXPECT_FALSE(db.schema_exists(own));
    EXPECT_EQ(fingerprint(relation), before) << relation << " changed";
  }

 private:
  std::vector<std::unique_ptr<TempDir>> work_dirs_;
};

TEST_F(DropSchemaTest, ASnapshotWithAnAbsoluteSchemaSurvivesTheCleanUpOfASlimCiRun) {
  // The common pre-1.9 style: the snapshot names its schema outright.
  write_file(project / "snapshots/orders_snapshot.sql",
             "{% snapshot orders_snapshot %}\n"
             "{{ config(target_schema='snapshots', unique_key='id', strategy='check', "
             "check_cols='all') }}\n"
             "select id, status from {{ source('raw', 'orders') }}\n"
             "{% endsnapshot %}\n");
  // A CI run that builds one model: the snapshot is in its manifest, not in what it ran.
  auto spec = ci_spec("ci_pr_1");
  spec["commands"] = {"run"};
  spec["select"] = {"stg_orders"};
  expect_cleanup_leaves_production(spec, "snapshots.orders_snapshot");
}

TEST_F(DropSchemaTest, CustomSchemasNamedAsTheyAreSurviveTheCleanUpOfAFullCiBuild) {
  // The widespread override: a custom schema is used as it is, so the CI run's seeds land in
  // production's "reference" schema, which existed before the run.
  write_file(project / "macros/generate_schema_name.sql",
             "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
             "{%- if custom_schema_name is none -%}{{ target.schema }}"
             "{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}\n"
             "{%- endmacro %}\n");
  expect_cleanup_leaves_production(ci_spec("ci_pr_2"), "reference.countries");
}

TEST_F(DropSchemaTest, ASchemaTheRunCreatedIsDroppedWithIt) {
  auto spec = ci_spec("ci_pr_4");
  auto ci = run(spec);
  ASSERT_EQ(ci.exit_code, 0) << ci.err;
  EXPECT_EQ(recorded("ci_pr_4"), "ci_pr_4,ci_pr_4_reference");
  auto cleanup = run(spec, {"drop-schema"});
  ASSERT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_FALSE(db.schema_exists("ci_pr_4"));
  EXPECT_FALSE(db.schema_exists("ci_pr_4_reference"));
  EXPECT_EQ(recorded("ci_pr_4"), "");
}

// Something another role created inside the CI run's own schema is not kubedbt's either: CASCADE
// would take it, so the clean-up refuses, naming it and its owner, until it is moved or dropped.
TEST_F(DropSchemaTest, AnObjectAnotherRoleCreatedInsideTheRunsSchemaStopsTheCleanUp) {
  auto spec = ci_spec("ci_pr_5");
  auto ci = run(spec);
  ASSERT_EQ(ci.exit_code, 0) << ci.err;
  const std::string role = db.name() + "_analyst";
  db.execute("create role " + role + "; grant usage, create on schema ci_pr_5 to " + role +
             "; set role " + role +
             "; create table ci_pr_5.analyst_notes (note text); "
             "insert into ci_pr_5.analyst_notes values ('keep me'); reset role");
  auto refused = run(spec, {"drop-schema"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("ci_pr_5.analyst_notes (table, owner " + role + ")"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(db.value("select note from ci_pr_5.analyst_notes"), "keep me");
  EXPECT_TRUE(db.schema_exists("ci_pr_5")) << "nothing was dropped";

  db.execute("drop table ci_pr_5.analyst_notes");
  auto cleanup = run(spec, {"drop-schema"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_FALSE(db.schema_exists("ci_pr_5"));
  db.execute("drop role " + role);
}

TEST_F(DropSchemaTest, AnObjectOutsideTheRunsSchemasStopsTheCleanUpAndIsNamed) {
  auto spec = ci_spec("ci_pr_3");
  auto ci = run(spec);
  ASSERT_EQ(ci.exit_code, 0) << ci.err;
  // A BI team's view over the CI table, and a table with a foreign key to it: not kubedbt's.
  db.execute(
      "create schema bi; create view bi.recent_orders as select * from ci_pr_3.fct_orders; "
      "create table ci_pr_3.order_keys as select distinct order_id from ci_pr_3.fct_orders; "
      "alter table ci_pr_3.order_keys add primary key (order_id); "
      "create table bi.notes (order_id int references ci_pr_3.order_keys (order_id))");

  auto cleanup = run(spec, {"drop-schema"});
  EXPECT_EQ(cleanup.exit_code, 1);
  EXPECT_NE(cleanup.err.find("bi.recent_orders (view)"), std::string::npos) << cleanup.err;
  EXPECT_NE(cleanup.err.find("bi.notes (table)"), std::string::npos) << cleanup.err;
  EXPECT_NE(cleanup.err.find("nothing was dropped"), std::string::npos) << cleanup.err;
  EXPECT_TRUE(db.schema_exists("ci_pr_3"));
  EXPECT_EQ(db.value("select count(*) from bi.recent_orders"),
            db.value("select count(*) from ci_pr_3.fct_orders"));
  EXPECT_EQ(db.value("select count(*) from pg_constraint where conrelid = 'bi.notes'::regclass"),
            "1");

  // Once the BI team repoints its objects, the retried clean-up goes through.
  db.execute("drop view bi.recent_orders; drop table bi.notes");
  auto retried = run(spec, {"drop-schema"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_FALSE(db.schema_exists("ci_pr_3"));
  EXPECT_TRUE(db.schema_exists("bi"));
}

}  // namespace
}  // namespace kubedbt::testing
