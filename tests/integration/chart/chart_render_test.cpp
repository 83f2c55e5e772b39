// charts/kubedbt without a cluster: helm lint, and what `helm template` renders: the RBAC and the
// admission policy of deploy/, the CRDs of crds/, the operator Deployment from its values, the
// protected-targets map of the policy, and a chart that packages.
#include "tests/integration/chart/chart_render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

namespace kubedbt::testing::chart {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kNamespace = "kubedbt-system";

// The release name "kubedbt" gives the chart's objects the names deploy/ uses.
std::vector<Json> render_default(const std::vector<std::string>& args = {}) {
  return yaml_documents(render("kubedbt", kNamespace, args));
}

std::vector<std::string> container_args(const std::vector<Json>& objects) {
  auto deployment = find_object(objects, "Deployment", "kubedbt-operator");
  return deployment["spec"]["template"]["spec"]["containers"][0]["args"]
      .get<std::vector<std::string>>();
}

TEST(ChartRender, HelmLintIsClean) {
  for (const std::vector<std::string>& values :
       {std::vector<std::string>{},
        {"--set", "watchNamespaces={analytics,marketing}", "--set",
         "protectedTargets.analytics.shop\\.prod={dbt-prod-deployers}"}}) {
    std::vector<std::string> args{"lint", "--strict", source_path("charts/kubedbt")};
    args.insert(args.end(), values.begin(), values.end());
    auto r = helm(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("0 chart(s) failed"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr("[WARNING]")));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr("[ERROR]")));
  }
}

// Every Role and ClusterRole of deploy/rbac is rendered with the same name and exactly its rules,
// and the chart grants nothing else.
TEST(ChartRender, RolesAreExactlyThoseOfDeployRbac) {
  auto chart = render_default();
  std::set<std::string> expected;
  for (const char* file : {"deploy/rbac/operator.yaml", "deploy/rbac/runner.yaml"}) {
    for (const auto& object : yaml_file_documents(file)) {
      const std::string kind = object["kind"];
      if (kind != "Role" && kind != "ClusterRole") continue;
      const std::string name = object["metadata"]["name"];
      expected.insert(kind + "/" + name);
      Json rendered;
      ASSERT_NO_THROW(rendered = find_object(chart, kind, name))
          << file << " has " << kind << " " << name
          << " and the chart does not render it: add it to charts/kubedbt/templates";
      EXPECT_EQ(rendered["rules"], object["rules"])
          << kind << " " << name << " differs from " << file
          << "; run scripts/generate.sh to refresh the chart's copy";
    }
  }
  std::set<std::string> rendered;
  for (const char* kind : {"Role", "ClusterRole"}) {
    for (const auto& o : objects_of_kind(chart, kind)) {
      rendered.insert(std::string(kind) + "/" + o["metadata"]["name"].get<std::string>());
    }
  }
  EXPECT_EQ(rendered, expected);
}

// Each binding of deploy/rbac binds the same role to the same ServiceAccount in the chart.
TEST(ChartRender, BindingsMatchDeployRbac) {
  auto chart = render_default({"--set", "runner.namespaces={analytics}"});
  for (const char* file : {"deploy/rbac/operator.yaml", "deploy/rbac/runner.yaml"}) {
    for (const auto& object : yaml_file_documents(file)) {
      const std::string kind = object["kind"];
      if (kind != "RoleBinding" && kind != "ClusterRoleBinding") continue;
      auto rendered = find_object(chart, kind, object["metadata"]["name"]);
      EXPECT_EQ(rendered["roleRef"], object["roleRef"]) << kind << " " << object["metadata"];
      ASSERT_EQ(rendered["subjects"].size(), object["subjects"].size());
      EXPECT_EQ(rendered["subjects"][0]["kind"], "ServiceAccount");
      EXPECT_EQ(rendered["subjects"][0]["name"], object["subjects"][0]["name"]);
    }
  }
  auto runner_binding = find_object(chart, "RoleBinding", "kubedbt-runner");
  EXPECT_EQ(runner_binding["metadata"]["namespace"], "analytics");
  EXPECT_EQ(runner_binding["subjects"][0]["namespace"], "analytics");
  auto operator_binding = find_object(chart, "ClusterRoleBinding", "kubedbt-operator");
  EXPECT_EQ(operator_binding["subjects"][0]["namespace"], kNamespace);
}

TEST(ChartRender, RunnerServiceAccountGoesToEachRunNamespace) {
  auto names = [](const std::vector<Json>& objects) {
    std::set<std::string> out;
    for (const auto& sa : objects_of_kind(objects, "ServiceAccount")) {
      if (sa["metadata"]["name"] == "kubedbt-runner") out.insert(sa["metadata"]["namespace"]);
    }
    return out;
  };
  EXPECT_EQ(names(render_default()), std::set<std::string>{kNamespace});
  EXPECT_EQ(names(render_default({"--set", "watchNamespaces={a,b}"})),
            (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(
      names(render_default({"--set", "watchNamespaces={a,b}", "--set", "runner.namespaces={c}"})),
      std::set<std::string>{"c"});
}

TEST(ChartRender, AdmissionPolicyIsThatOfDeployPolicy) {
  auto chart = render_default({"--set", "admissionPolicy.validationActions={Warn,Audit}"});
  auto deploy = yaml_file_documents("deploy/policy/protected-targets.yaml");
  auto policy = find_object(deploy, "ValidatingAdmissionPolicy", "kubedbt-protected-targets");
  auto rendered = find_object(chart, "ValidatingAdmissionPolicy", "kubedbt-protected-targets");
  // Everything but the protectedTargets map and the scheduled runs' creators (deploy/'s example;
  // the chart's from its values).
  ASSERT_EQ(rendered["spec"]["variables"][0]["name"], "protectedTargets");
  EXPECT_EQ(rendered["spec"]["variables"][0]["expression"], "{}");
  ASSERT_EQ(rendered["spec"]["variables"][1]["name"], "scheduledRunCreators");
  EXPECT_EQ(Json::parse(rendered["spec"]["variables"][1]["expression"].get<std::string>()),
            Json({"user:system:serviceaccount:kubedbt-system:kubedbt-operator"}));
  for (auto* p : {&rendered, &policy}) {
    (*p)["spec"]["variables"][0].erase("expression");
    (*p)["spec"]["variables"][1].erase("expression");
  }
  EXPECT_EQ(rendered["spec"], policy["spec"])
      << "run scripts/generate.sh to refresh charts/kubedbt/files/policy";
  auto binding =
      find_object(deploy, "ValidatingAdmissionPolicyBinding", "kubedbt-protected-targets")["spec"];
  binding["validationActions"] = Json::array({"Warn", "Audit"});
  EXPECT_EQ(
      find_object(chart, "ValidatingAdmissionPolicyBinding", "kubedbt-protected-targets")["spec"],
      binding);

  auto off = render_default({"--set", "admissionPolicy.enabled=false"});
  EXPECT_TRUE(objects_of_kind(off, "ValidatingAdmissionPolicy").empty());
  EXPECT_TRUE(objects_of_kind(off, "ValidatingAdmissionPolicyBinding").empty());
}

TEST(ChartRender, ProtectedTargetsBecomeThePolicysMap) {
  auto chart = render_default(
      {"--set", "protectedTargets.analytics.shop\\.prod={dbt-prod-deployers,user:alice}", "--set",
       "protectedTargets.analytics.crm\\.prod={crm-admins}", "--set",
       "protectedTargets.marketing.ads\\.prod={ads-admins}"});
  EXPECT_TRUE(objects_of_kind(chart, "ConfigMap").empty()) << "no ConfigMap parameter";
  auto policy = find_object(chart, "ValidatingAdmissionPolicy", "kubedbt-protected-targets");
  EXPECT_FALSE(policy["spec"].contains("paramKind"));
  // The CEL map literal is JSON.
  auto map = Json::parse(policy["spec"]["variables"][0]["expression"].get<std::string>());
  EXPECT_EQ(map["analytics"]["shop.prod"], Json({"dbt-prod-deployers", "user:alice"}));
  EXPECT_EQ(map["analytics"]["crm.prod"], Json({"crm-admins"}));
  EXPECT_EQ(map["marketing"]["ads.prod"], Json({"ads-admins"}))
      << "no ServiceAccount is an allowed identity of a protected target";
  EXPECT_EQ(map.size(), 2u);
  // The ServiceAccounts that create scheduled runs' DbtRuns, and only those (the policy checks).
  auto creators = Json::parse(policy["spec"]["variables"][1]["expression"].get<std::string>());
  EXPECT_EQ(creators, Json({"user:system:serviceaccount:analytics:kubedbt-runner",
                            "user:system:serviceaccount:marketing:kubedbt-runner",
                            "user:system:serviceaccount:kubedbt-system:kubedbt-operator"}));

  auto bad = helm({"template", "kubedbt", source_path("charts/kubedbt"), "--set",
                   "protectedTargets.analytics.prod={admins}"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("must be <project>.<target>, such as shop.prod"));
}

TEST(ChartRender, CrdsAreThoseOfTheCrdsFolder) {
  // (`helm show crds` joins the files without document separators; template keeps them.)
  auto chart = objects_of_kind(render_default({"--include-crds"}), "CustomResourceDefinition");
  std::vector<Json> expected;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("crds"))) {
    if (entry.path().extension() != ".yaml") continue;
    for (auto& d : yaml_file_documents("crds/" + entry.path().filename().string())) {
      expected.push_back(d);
    }
  }
  ASSERT_EQ(chart.size(), expected.size());
  for (const auto& crd : expected) {
    const std::string name = crd["metadata"]["name"];
    EXPECT_EQ(find_object(chart, "CustomResourceDefinition", name), crd)
        << name << ": charts/kubedbt/crds is stale; run scripts/generate.sh";
  }
}

TEST(ChartRender, OperatorDeploymentIsRestrictedAndProbed) {
  auto chart = render_default();
  auto deployment = find_object(chart, "Deployment", "kubedbt-operator");
  const auto& pod = deployment["spec"]["template"]["spec"];
  EXPECT_EQ(deployment["spec"]["replicas"], 2);
  EXPECT_EQ(pod["serviceAccountName"], "kubedbt-operator");
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  const auto& container = pod["containers"][0];
  const auto& security = container["securityContext"];
  EXPECT_EQ(security["runAsNonRoot"], true);
  EXPECT_EQ(security["readOnlyRootFilesystem"], true);
  EXPECT_EQ(security["allowPrivilegeEscalation"], false);
  EXPECT_EQ(security["capabilities"]["drop"], Json::array({"ALL"}));
  EXPECT_EQ(security["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["port"], "http");
  EXPECT_EQ(container["ports"][0]["name"], "http");
  EXPECT_EQ(container["ports"][0]["containerPort"], 8080);
  EXPECT_TRUE(container["resources"].contains("requests"));
  EXPECT_EQ(container["image"], "ghcr.io/kubedbt/kubedbt-operator:0.1.0");
  auto service = find_object(chart, "Service", "kubedbt-operator-metrics");
  EXPECT_EQ(service["spec"]["ports"][0]["targetPort"], "http");
  EXPECT_EQ(service["spec"]["selector"], deployment["spec"]["selector"]["matchLabels"]);
  EXPECT_EQ(deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"],
            "operator");
}

TEST(ChartRender, ValuesBecomeOperatorFlags) {
  auto defaults = container_args(render_default());
  EXPECT_THAT(defaults, ::testing::Contains("--leader-elect=true"));
  EXPECT_THAT(defaults, ::testing::Contains("--lease-namespace=kubedbt-system"));
  EXPECT_THAT(defaults, ::testing::Contains("--runner-image=ghcr.io/kubedbt/kubedbt-runner:0.1.0"));
  EXPECT_THAT(defaults, ::testing::Contains("--runner-service-account=kubedbt-runner"));
  for (const auto& a : defaults) EXPECT_THAT(a, Not(HasSubstr("--namespaces"))) << "all namespaces";

  auto custom = container_args(render_default(
      {"--set", "watchNamespaces={analytics,marketing}", "--set", "operator.workers=8", "--set",
       "operator.runHistory=50", "--set", "runner.image.repository=registry.local/runner", "--set",
       "runner.image.tag=2.0", "--set", "operator.logLevel=debug", "--set",
       "operator.leaderElection.enabled=false", "--set", "operator.replicas=1"}));
  EXPECT_THAT(custom, ::testing::IsSupersetOf({"--namespaces=analytics,marketing", "--workers=8",
                                               "--run-history=50", "--leader-elect=false",
                                               "--runner-image=registry.local/runner:2.0",
                                               "--log-level=debug"}));
}

// Every flag the chart passes is one kubedbt-operator (of this build) declares.
TEST(ChartRender, EveryFlagIsOneTheOperatorAccepts) {
  auto help =
      run_command({std::string(KUBEDBT_BINARY_DIR) + "/operator/kubedbt-operator", "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  auto args = container_args(render_default({"--set", "watchNamespaces={a}"}));
  ASSERT_GE(args.size(), 10u);
  for (const auto& a : args) {
    const std::string flag = a.substr(0, a.find('='));
    EXPECT_THAT(help.out, HasSubstr(flag + " ")) << flag << " is not a kubedbt-operator option";
  }
}

TEST(ChartRender, TwoReplicasWithoutLeaderElectionAreRefused) {
  auto r = helm({"template", "kubedbt", source_path("charts/kubedbt"), "--set",
                 "operator.leaderElection.enabled=false"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("operator.replicas > 1 needs operator.leaderElection.enabled"));
}

TEST(ChartRender, ChartPackagesWithItsCrds) {
  auto dir =
      std::filesystem::temp_directory_path() / ("kubedbt-chart-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto packaged = helm({"package", source_path("charts/kubedbt"), "-d", dir.string()});
  ASSERT_EQ(packaged.exit_code, 0) << packaged.err;
  auto listing = run_command({"tar", "tzf", (dir / "kubedbt-0.1.0.tgz").string()});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  for (const char* file :
       {"kubedbt/crds/kubedbt.io_dbtprojects.yaml", "kubedbt/crds/kubedbt.io_dbtschedules.yaml",
        "kubedbt/crds/kubedbt.io_dbtruns.yaml", "kubedbt/files/rbac/operator.yaml",
        "kubedbt/files/rbac/runner.yaml", "kubedbt/files/policy/protected-targets.yaml",
        "kubedbt/templates/operator-deployment.yaml", "kubedbt/README.md"}) {
    EXPECT_THAT(listing.out, HasSubstr(file));
  }
}

}  // namespace
}  // namespace kubedbt::testing::chart
