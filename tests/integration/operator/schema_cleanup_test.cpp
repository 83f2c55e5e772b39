// The CI-schema finalizer end to end: the operator runs the real kubedbt-runner in pods of the
// local cluster (node agent) against a real PostgreSQL; deleting a DbtRun with spec.schema drops
// that schema and its custom-schema siblings before the DbtRun goes; keepSchema keeps them; a
// clean-up that cannot connect keeps the finalizer and says how to remove it by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kube/errors.h"
#include "operator/core/kinds.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/api/crd_fixture.h"
#include "tests/integration/operator/operator_harness.h"
#include "tests/integration/runner/runner_harness.h"
#include "tests/postgres/support/test_postgres.h"

namespace kubedbt::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

std::optional<Json> try_get(kube::Client& c, const kube::Resource& r, const std::string& ns,
                            const std::string& name) {
  try {
    return c.get(r, ns, name);
  } catch (const kube::NotFound&) {
    return std::nullopt;
  }
}

Json condition(const Json& object, const std::string& type) {
  for (const auto& c : object.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return Json::object();
}

bool has_drop_schema_finalizer(const Json& run) {
  for (const auto& f : run["metadata"].value("finalizers", Json::array())) {
    if (f == "kubedbt.io/drop-schema") return true;
  }
  return false;
}

class SchemaCleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin = TestCluster::get().admin_client();
    ns = std::make_unique<TestNamespace>(*admin, "cleanup");
    kubeconfig = prepare_namespace(*admin, ns->name());
    db.load_shop_raw_data();
    // Not under /tmp: run pods get an emptyDir there.
    project_dir = binary_dir() / ("schema-cleanup-" + ns->name()) / "shop";
    std::filesystem::remove_all(project_dir);
    copy_shop_project(project_dir);
    set_password(PostgresServer::get().password);
    apply(project_yaml());
    op = std::make_unique<OperatorProcess>(kubeconfig, ns->name(), "a");
    op->set_runner_command((binary_dir() / "runner/kubedbt-runner").string());
    op->start();
  }
  void TearDown() override {
    if (HasFailure() && op) {
      auto log = op->log();
      std::cerr << "operator log tail:\n" << log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
    }
    op.reset();
    std::filesystem::remove_all(project_dir.parent_path());
  }

  void apply(const std::string& yaml) {
    auto r = apply_yaml(ns->name(), yaml);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  }
  void set_password(const std::string& password) {
    apply("apiVersion: v1\nkind: Secret\nmetadata: {name: warehouse}\nstringData: {password: '" +
          password + "'}\n");
  }
  std::string project_yaml() const {
    const auto& pg = PostgresServer::get();
    std::string target = "host: " + pg.host + ", port: " + std::to_string(pg.port) +
                         ", user: " + pg.user + ", database: " + db.name() +
                         ", sslmode: disable, passwordSecretRef: {name: warehouse, key: password}";
    return "apiVersion: kubedbt.io/v1alpha1\nkind: DbtProject\nmetadata: {name: shop}\nspec:\n"
           "  source: {image: {path: " +
           project_dir.string() +
           "}}\n  profile: shop\n  defaultTarget: dev\n  targets:\n"
           "    dev: {schema: dev_shop, " +
           target + "}\n    prod: {schema: analytics, protected: true, " + target +
           "}\n"
           // The node agent runs commands as the pod's user: root reads the dbt virtualenv.
           "  securityContext: {runAsUser: 0, runAsGroup: 0}\n"
           "  env: [{name: KUBEDBT_DBT, value: " +
           dbt_executable().string() + "}]\n";
  }
  void create_run(const std::string& name, const std::string& schema, bool keep) {
    apply("apiVersion: kubedbt.io/v1alpha1\nkind: DbtRun\nmetadata: {name: " + name +
          "}\nspec:\n  projectRef: {name: shop}\n  target: dev\n  schema: " + schema +
          "\n  keepSchema: " + (keep ? "true" : "false") + "\n  commands: [build]\n");
  }
  std::optional<Json> run(const std::string& name) {
    return try_get(*admin, op::kDbtRuns, ns->name(), name);
  }
  std::string phase(const std::string& name) {
    auto r = run(name);
    return r ? r->value("status", Json::object()).value("phase", "") : "";
  }
  void remove(const std::string& name) {
    admin->remove(op::kDbtRuns, ns->name(), name,
                  kube::DeleteOptions{std::string("Background"), {}, {}, {}});
  }
  std::vector<std::string> schemas_like(const std::string& prefix) {
    return db.column("select nspname from pg_namespace where nspname like '" + prefix +
                     "%' order by 1");
  }

  std::unique_ptr<kube::Client> admin;
  std::unique_ptr<TestNamespace> ns;
  std::string kubeconfig;
  TestDatabase db{"cleanup"};
  std::filesystem::path project_dir;
  std::unique_ptr<OperatorProcess> op;
};

TEST_F(SchemaCleanupTest, DeletingARunDropsItsSchemasUnlessKeptOrTheCleanUpFails) {
  create_run("ci-drop", "ci_drop", false);
  create_run("ci-keep", "ci_keep", true);
  create_run("ci-broken", "ci_broken", false);
  for (const char* name : {"ci-drop", "ci-keep", "ci-broken"}) {
    ASSERT_TRUE(eventually(
        [&] {
          auto p = phase(name);
          return p == "Succeeded" || p == "Failed";
        },
        420s))
        << name << " did not finish: " << (run(name) ? run(name)->dump() : "gone");
    ASSERT_EQ(phase(name), "Succeeded") << run(name)->dump();
  }
  EXPECT_EQ(schemas_like("ci_drop"), (std::vector<std::string>{"ci_drop", "ci_drop_reference"}))
      << "the run built into its own schema and the seeds' custom schema";
  EXPECT_TRUE(has_drop_schema_finalizer(*run("ci-drop")));
  EXPECT_FALSE(has_drop_schema_finalizer(*run("ci-keep"))) << "keepSchema: nothing to drop";
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.built_schemas where run_schema = 'ci_drop'"),
            "2");

  // Deleted: the clean-up Job drops both schemas, then the DbtRun goes.
  remove("ci-drop");
  ASSERT_TRUE(eventually([&] { return !run("ci-drop"); }, 300s))
      << run("ci-drop")->dump() << "\n"
      << (try_get(*admin, kube::resources::kJobs, ns->name(), "ci-drop-drop-schema")
              .value_or(Json())
              .dump());
  EXPECT_TRUE(schemas_like("ci_drop").empty());
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.built_schemas where run_schema = 'ci_drop'"),
            "0");
  EXPECT_TRUE(db.schema_exists("raw")) << "nothing else is dropped";

  remove("ci-keep");
  ASSERT_TRUE(eventually([&] { return !run("ci-keep"); }, 60s));
  EXPECT_EQ(schemas_like("ci_keep"), (std::vector<std::string>{"ci_keep", "ci_keep_reference"}));

  // A clean-up that cannot log in keeps the finalizer and names the fix.
  set_password("wrong-password");
  remove("ci-broken");
  Json failed;
  ASSERT_TRUE(eventually(
      [&] {
        auto r = run("ci-broken");
        if (!r) return false;
        failed = condition(*r, "SchemaDropped");
        return failed.value("reason", "") == "DropSchemaFailed";
      },
      300s))
      << (run("ci-broken") ? run("ci-broken")->dump() : "gone");
  const std::string message = failed["message"];
  EXPECT_EQ(failed["status"], "False");
  EXPECT_NE(message.find("Dropping schema ci_broken failed"), std::string::npos) << message;
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  const std::string command = "kubectl patch dbtrun ci-broken -n " + ns->name() +
                              " --type=merge -p '{\"metadata\":{\"finalizers\":null}}'";
  EXPECT_NE(message.find(command), std::string::npos) << message;
  EXPECT_TRUE(has_drop_schema_finalizer(*run("ci-broken")));
  EXPECT_EQ(schemas_like("ci_broken"),
            (std::vector<std::string>{"ci_broken", "ci_broken_reference"}));
  EXPECT_EQ(message.find("wrong-password"), std::string::npos) << "no secret in the message";

  // The command the message gives works.
  auto patched =
      TestCluster::get().kubectl({"-n", ns->name(), "patch", "dbtrun", "ci-broken", "--type=merge",
                                  "-p", R"({"metadata":{"finalizers":null}})"});
  ASSERT_EQ(patched.exit_code, 0) << patched.err;
  EXPECT_TRUE(eventually([&] { return !run("ci-broken"); }, 60s));
}

TEST_F(SchemaCleanupTest, DeletingARunningRunCancelsItBeforeTheDrop) {
  write_file(project_dir / "models/marts/sleepy.sql",
             "{{ config(materialized='table') }}\n"
             "with nap as (select pg_sleep(600) as slept)\nselect 1 as id from nap\n");
  create_run("ci-slow", "ci_slow", false);
  auto sleeping = [&] {
    return db.value(
               "select count(*) from pg_stat_activity where datname = current_database() and "
               "query like '%pg_sleep(600)%' and query not like '%pg_stat_activity%'") != "0";
  };
  ASSERT_TRUE(eventually(sleeping, 300s)) << (run("ci-slow") ? run("ci-slow")->dump() : "gone");
  EXPECT_TRUE(has_drop_schema_finalizer(*run("ci-slow")));

  remove("ci-slow");
  // The clean-up Job starts only once the run's Job and pod are gone.
  bool drop_job_seen = false, run_pod_alive_with_drop_job = false;
  ASSERT_TRUE(eventually(
      [&] {
        bool drop_job =
            try_get(*admin, kube::resources::kJobs, ns->name(), "ci-slow-drop-schema").has_value();
        if (drop_job) {
          drop_job_seen = true;
          kube::ListOptions opts;
          opts.label_selector = "batch.kubernetes.io/job-name=ci-slow-run";
          if (!admin->list(kube::resources::kPods, ns->name(), opts).items.empty()) {
            run_pod_alive_with_drop_job = true;
          }
        }
        return !run("ci-slow");
      },
      300s))
      << (run("ci-slow") ? run("ci-slow")->dump() : "");
  EXPECT_TRUE(drop_job_seen);
  EXPECT_FALSE(run_pod_alive_with_drop_job) << "the drop waits until the run's pod is gone";
  EXPECT_FALSE(sleeping()) << "deleting the run cancelled its query";
  EXPECT_TRUE(schemas_like("ci_slow").empty());
}

}  // namespace
}  // namespace kubedbt::testing
