// charts/kubedbt on the local cluster: the rendered chart passes a server-side dry run; the
// installed chart's operator ServiceAccount (a TokenRequest token in a kubeconfig) runs
// kubedbt-operator as a process and reconciles a project, a schedule and a run with exactly the
// chart's RBAC; the chart's runner ServiceAccount runs the pod; its admission policy guards prod.
// The cluster cannot pull images, so the process stands in for the operator Deployment's pod.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "kube/errors.h"
#include "operator/core/kinds.h"
#include "tests/integration/api/crd_fixture.h"
#include "tests/integration/chart/chart_render.h"
#include "tests/integration/operator/operator_harness.h"

namespace kubedbt::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
namespace res = kube::resources;
using chart::Json;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::optional<Json> try_get(kube::Client& c, const kube::Resource& r, const std::string& ns,
                            const std::string& name) {
  try {
    return c.get(r, ns, name);
  } catch (const kube::NotFound&) {
    return std::nullopt;
  }
}

std::string condition_status(const Json& object, const std::string& type) {
  for (const auto& c : object.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

const char* kProject = R"(
apiVersion: kubedbt.io/v1alpha1
kind: DbtProject
metadata: {name: shop}
spec:
  source: {image: {path: /project}}
  profile: shop
  defaultTarget: dev
  targets:
    dev: {host: 127.0.0.1, user: dbt, database: shop, schema: dev_shop,
          passwordSecretRef: {name: warehouse, key: password}}
    prod: {host: 127.0.0.1, user: dbt, database: shop, schema: analytics, protected: true,
           passwordSecretRef: {name: warehouse, key: password}}
---
apiVersion: v1
kind: Secret
metadata: {name: warehouse}
stringData: {password: chart-test-not-a-secret}
)";

std::string run_yaml(const std::string& name, const std::string& target) {
  return "apiVersion: kubedbt.io/v1alpha1\nkind: DbtRun\nmetadata: {name: " + name +
         "}\nspec:\n  projectRef: {name: shop}\n  target: " + target + "\n  commands: [build]\n";
}

class ChartClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    install_crds();  // as other suites do; helm then skips the CRDs that exist
    admin = TestCluster::get().admin_client();
    ns = std::make_unique<TestNamespace>(*admin, "chart");
  }
  void TearDown() override {
    if (installed) {
      auto r = chart::helm({"uninstall", ns->name(), "-n", ns->name(), "--kubeconfig",
                            TestCluster::get().admin_kubeconfig()});
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
  }
  // Values of a release whose operator and runs live in the test namespace.
  std::vector<std::string> values() const {
    const std::string n = ns->name();
    return {"--set", "watchNamespaces={" + n + "}", "--set",
            "protectedTargets." + n + ".shop\\.prod={dbt-prod-deployers}"};
  }

  std::unique_ptr<kube::Client> admin;
  std::unique_ptr<TestNamespace> ns;
  bool installed = false;
};

TEST_F(ChartClusterTest, RenderedChartPassesServerSideDryRun) {
  auto args = values();
  args.push_back("--include-crds");
  const std::string manifest = chart::render("dry-" + ns->name(), ns->name(), args);
  auto r = TestCluster::get().kubectl({"apply", "--dry-run=server", "-f", "-"}, manifest);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  for (const char* object :
       {"customresourcedefinition.apiextensions.k8s.io/dbtruns.kubedbt.io",
        "deployment.apps/dry-" /* <release>-kubedbt-operator */, "clusterrole.rbac.authorization",
        "validatingadmissionpolicy.admissionregistration.k8s.io/dry-",
        "validatingadmissionpolicybinding.admissionregistration.k8s.io/dry-",
        "serviceaccount/kubedbt-runner"}) {
    EXPECT_THAT(r.out, HasSubstr(object)) << r.out;
  }
  EXPECT_THAT(r.out, HasSubstr("(server dry run)"));
}

TEST_F(ChartClusterTest, OperatorWithTheChartsServiceAccountReconcilesWithExactlyItsRbac) {
  const auto& cluster = TestCluster::get();
  const std::string n = ns->name();
  // replicas 0: the Deployment's pod would need the operator image; the process below is it.
  std::vector<std::string> install{"install",
                                   n,
                                   chart::source_path("charts/kubedbt"),
                                   "-n",
                                   n,
                                   "--kubeconfig",
                                   cluster.admin_kubeconfig(),
                                   "--set",
                                   "operator.replicas=0"};
  for (const auto& v : values()) install.push_back(v);
  auto installed_chart = chart::helm(install);
  ASSERT_EQ(installed_chart.exit_code, 0) << installed_chart.err << installed_chart.out;
  installed = true;
  EXPECT_THAT(installed_chart.out, HasSubstr("STATUS: deployed"));

  const std::string account = n + "-kubedbt-operator";
  auto token = cluster.kubectl({"-n", n, "create", "token", account, "--duration=1h"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  auto admin_config = cluster.admin_config();
  const std::string ca_file = cluster.dir() + "/chart-" + n + "-ca.crt";
  const std::string kubeconfig = cluster.dir() + "/chart-" + n + ".kubeconfig";
  std::ofstream(ca_file) << admin_config.ca_pem;
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n"
                               "  cluster: {server: '"
                            << admin_config.server << "', certificate-authority: '" << ca_file
                            << "'}\nusers:\n- name: operator\n  user: {token: '"
                            << trimmed(token.out)
                            << "'}\ncontexts:\n- name: operator\n  context: {cluster: local, "
                               "user: operator, namespace: "
                            << n << "}\ncurrent-context: operator\n";

  auto whoami = cluster.kubectl({"auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"},
                                "", kubeconfig);
  ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
  EXPECT_EQ(whoami.out, "system:serviceaccount:" + n + ":" + account);
  // Least privilege: what the chart grants, and not more.
  auto can = [&](const std::vector<std::string>& what) {
    std::vector<std::string> args{"auth", "can-i"};
    args.insert(args.end(), what.begin(), what.end());
    return trimmed(cluster.kubectl(args, "", kubeconfig).out);
  };
  EXPECT_EQ(can({"create", "jobs.batch", "-n", n}), "yes");
  EXPECT_EQ(can({"patch", "dbtruns.kubedbt.io", "--subresource=status", "-n", n}), "yes");
  EXPECT_EQ(can({"update", "leases.coordination.k8s.io", "-n", n}), "yes");
  EXPECT_EQ(can({"update", "leases.coordination.k8s.io", "-n", "default"}), "no");
  EXPECT_EQ(can({"delete", "jobs.batch", "-n", n}), "yes");  // the drop-schema finalizer cancels
  EXPECT_EQ(can({"delete", "cronjobs.batch", "-n", n}), "no");
  EXPECT_EQ(can({"update", "jobs.batch", "-n", n}), "no");
  EXPECT_EQ(can({"create", "configmaps", "-n", n}), "no");
  EXPECT_EQ(can({"create", "secrets", "-n", n}), "no");
  EXPECT_EQ(can({"create", "clusterrolebindings.rbac.authorization.k8s.io"}), "no");

  OperatorProcess op(kubeconfig, n, "chart");
  op.start();
  auto fail_with_log = [&] { return "operator log:\n" + op.log(); };

  auto applied = apply_yaml(n, kProject);
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_TRUE(eventually(
      [&] {
        auto p = try_get(*admin, op::kDbtProjects, n, "shop");
        return p && condition_status(*p, "Ready") == "True";
      },
      60s))
      << fail_with_log();

  ASSERT_EQ(apply_yaml(n, run_yaml("manual-1", "dev")).exit_code, 0);
  std::optional<Json> job;
  ASSERT_TRUE(eventually(
      [&] { return (job = try_get(*admin, res::kJobs, n, "manual-1-run")).has_value(); }, 60s))
      << fail_with_log();
  EXPECT_EQ((*job)["spec"]["template"]["spec"]["serviceAccountName"], "kubedbt-runner");
  // The pod runs under the chart's runner ServiceAccount; the operator writes the outcome.
  EXPECT_TRUE(eventually(
      [&] {
        auto r = try_get(*admin, op::kDbtRuns, n, "manual-1");
        return r && r->value("status", Json::object()).value("phase", "") == "Succeeded";
      },
      120s))
      << admin->get(op::kDbtRuns, n, "manual-1").dump() << "\n"
      << fail_with_log();

  auto schedule = apply_yaml(n, R"(
apiVersion: kubedbt.io/v1alpha1
kind: DbtSchedule
metadata: {name: nightly}
spec: {projectRef: {name: shop}, target: prod, schedule: "0 6 * * *", timeZone: Europe/Berlin}
)");
  ASSERT_EQ(schedule.exit_code, 0) << schedule.err;
  EXPECT_TRUE(
      eventually([&] { return try_get(*admin, res::kCronJobs, n, "nightly").has_value(); }, 60s))
      << fail_with_log();
  EXPECT_TRUE(eventually(
      [&] {
        auto s = try_get(*admin, op::kDbtSchedules, n, "nightly");
        return s && condition_status(*s, "Ready") == "True";
      },
      60s))
      << fail_with_log();

  // The leader Lease lives in the release namespace, the only one the Role covers.
  auto lease = cluster.kubectl(
      {"-n", n, "get", "lease", "kubedbt-operator", "-o", "jsonpath={.spec.holderIdentity}"});
  EXPECT_EQ(lease.out, "chart") << lease.err;

  // The chart's policy: the admin is not in dbt-prod-deployers, so prod is refused.
  auto refused = apply_yaml(n, run_yaml("manual-prod", "prod"));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("is protected: only dbt-prod-deployers"));

  EXPECT_THAT(op.log(), Not(HasSubstr("forbidden"))) << "an API call the chart's RBAC refused";
  EXPECT_THAT(op.log(), Not(HasSubstr("Forbidden")));
  EXPECT_EQ(op.stop(), 0);
}

}  // namespace
}  // namespace kubedbt::testing
