// A CI schema reused by every push of a pull request (ci_pr_7), with the real runner, dbt,
// PostgreSQL and DbtRuns on the local cluster: the clean-up of an old run never drops the schema
// while a newer run builds it, nor afterwards while that newer run still exists.
#include <gtest/gtest.h>

#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/api/crd_fixture.h"
#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

const kube::Resource kDbtRuns{"kubedbt.io", "v1alpha1", "dbtruns", true};

class SchemaUsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    install_crds();
    db.load_shop_raw_data();
    copy_shop_project(project);
    write_file(project / "models/nap.sql",
               "{{ config(materialized='table') }}\n"
               "select 1 as slept from pg_sleep({{ var('nap_seconds', 0) }})\n");
  }

  // A DbtRun in the cluster and the spec of its run into schema ci_pr_7.
  nlohmann::json ci_run(const std::string& name) {
    auto created = client->create(
        kDbtRuns, ns.name(),
        {{"apiVersion", "kubedbt.io/v1alpha1"},
         {"kind", "DbtRun"},
         {"metadata", {{"name", name}}},
         {"spec", {{"projectRef", {{"name", "shop"}}}, {"target", "dev"}, {"schema", "ci_pr_7"}}}});
    auto spec = dev_spec(db, project);
    spec["schema"] = "ci_pr_7";
    spec["run"] = {{"namespace", ns.name()}, {"name", name}, {"uid", created["metadata"]["uid"]}};
    return spec;
  }

  RunnerResult run(const nlohmann::json& spec, RunnerOptions options = {},
                   const std::vector<std::string>& args = {}) {
    auto work = std::make_unique<TempDir>();
    options.env["KUBECONFIG"] = TestCluster::get().admin_kubeconfig();
    options.args = args;
    auto result = run_runner(spec, work->path(), options);
    work_dirs_.push_back(std::move(work));
    return result;
  }

  RunnerResult clean_up(nlohmann::json spec) {
    spec["lockWaitSeconds"] = 2;
    return run(spec, {}, {"drop-schema"});
  }

  std::unique_ptr<kube::Client> client = TestCluster::get().admin_client();
  TestNamespace ns{*client, "schema-users"};
  TestDatabase db{"users"};
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";

 private:
  std::vector<std::unique_ptr<TempDir>> work_dirs_;
};

TEST_F(SchemaUsersTest, AnOldRunsCleanUpNeverDropsTheSchemaANewerRunBuildsOrStillUses) {
  auto first = ci_run("ci-7-a");
  auto built = run(first);
  ASSERT_EQ(built.exit_code, 0) << built.err;
  ASSERT_TRUE(db.schema_exists("ci_pr_7"));

  // The next push builds into the same schema; the first run is pruned while it builds.
  auto second = ci_run("ci-7-b");
  second["vars"] = {{"nap_seconds", 8}};
  RunnerResult during;
  bool tried = false;
  RunnerOptions options;
  options.stop_when = [&] {
    if (!tried &&
        db.value("select count(*) from pg_stat_activity where datname = current_database() "
                 "and state = 'active' and query like '%pg_sleep(8)%' and pid <> "
                 "pg_backend_pid()") != "0") {
      tried = true;
      during = clean_up(first);
    }
    return false;
  };
  auto newer = run(second, options);
  ASSERT_TRUE(tried) << "the newer run was never seen building: " << newer.err;
  EXPECT_EQ(newer.exit_code, 0) << newer.err;
  EXPECT_EQ(during.exit_code, 1) << during.out << during.err;
  EXPECT_NE(during.err.find("another run is building it"), std::string::npos) << during.err;

  // Retried once the newer run is done: that run still exists, so the schema stays.
  auto after = clean_up(first);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("Kept schema ci_pr_7: still used by run(s) ci-7-b"), std::string::npos)
      << after.out;
  EXPECT_EQ(db.value("select to_regclass('ci_pr_7.nap') is not null"), "t")
      << "the newer run's results are intact";

  // The newer run's own clean-up is the last user's: the schema goes.
  auto last = clean_up(second);
  EXPECT_EQ(last.exit_code, 0) << last.err;
  EXPECT_NE(last.out.find("Dropped schemas: ci_pr_7"), std::string::npos) << last.out;
  EXPECT_FALSE(db.schema_exists("ci_pr_7"));
}

}  // namespace
}  // namespace kubedbt::testing
