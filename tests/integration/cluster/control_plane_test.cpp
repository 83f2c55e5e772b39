// The local control plane is real and healthy: kube-apiserver is ready, kubectl of the same build
// talks to it, and kube-controller-manager fills a new namespace the way a real cluster does.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kube/errors.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt {
namespace {

using testing::TestCluster;
using testing::TestNamespace;
namespace resources = kube::resources;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ControlPlane, ApiServerIsReady) {
  const auto result = TestCluster::get().kubectl({"get", "--raw", "/readyz"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "ok");
}

TEST(ControlPlane, KubectlIsTheServersVersion) {
  const auto result = TestCluster::get().kubectl({"version", "--output", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto versions = nlohmann::json::parse(result.out);
  EXPECT_EQ(versions["clientVersion"]["gitVersion"], "v1.36.3");
  EXPECT_EQ(versions["serverVersion"]["gitVersion"], "v1.36.3");
}

TEST(ControlPlane, KubectlListsTheSystemNamespaces) {
  const auto result = TestCluster::get().kubectl(
      {"get", "namespaces", "--output", "jsonpath={.items[*].metadata.name}"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("default"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("kube-system"), std::string::npos) << result.out;
}

TEST(ControlPlane, AdminIsClusterAdmin) {
  const auto result = TestCluster::get().kubectl({"auth", "can-i", "*", "*", "--all-namespaces"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "yes\n");
}

TEST(ControlPlane, KubectlAppliesAManifestFromStdin) {
  const auto& cluster = TestCluster::get();
  auto client = cluster.admin_client();
  TestNamespace ns(*client, "apply");
  // Larger than a pipe's buffer, so the manifest has to be streamed into kubectl.
  const std::string payload(200 * 1024, 'x');
  const std::string manifest =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-stdin\n"
      "  namespace: " +
      ns.name() + "\ndata:\n  payload: " + payload + "\n";

  const auto result = cluster.kubectl({"apply", "--filename", "-"}, manifest);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "configmap/from-stdin created\n");
  const auto stored = client->get(resources::kConfigMaps, ns.name(), "from-stdin");
  EXPECT_EQ(stored["data"]["payload"], payload);
}

TEST(ControlPlane, ControllersPopulateANewNamespace) {
  const auto& cluster = TestCluster::get();
  auto client = cluster.admin_client();
  // TestNamespace itself waits for the serviceaccount controller's `default` account.
  TestNamespace ns(*client, "populate");

  const auto account = client->get(resources::kServiceAccounts, ns.name(), "default");
  EXPECT_EQ(account["metadata"]["name"], "default");

  kube::Json root_ca;
  ASSERT_TRUE(testing::eventually([&] {
    try {
      root_ca = client->get(resources::kConfigMaps, ns.name(), "kube-root-ca.crt");
      return true;
    } catch (const kube::NotFound&) {
      return false;
    }
  })) << "root-ca-cert-publisher did not create kube-root-ca.crt in "
      << ns.name();
  EXPECT_EQ(root_ca["data"]["ca.crt"].get<std::string>(), read_file(cluster.dir() + "/pki/ca.crt"));
}

TEST(ControlPlane, DeletedNamespaceIsEmptiedAndRemoved) {
  auto client = TestCluster::get().admin_client();
  std::string name;
  {
    TestNamespace ns(*client, "deleted");
    name = ns.name();
    client->create(resources::kConfigMaps, name,
                   {{"apiVersion", "v1"},
                    {"kind", "ConfigMap"},
                    {"metadata", {{"name", "content"}}},
                    {"data", {{"k", "v"}}}});
  }
  // The namespace controller deletes the content, then the namespace itself goes.
  EXPECT_TRUE(testing::eventually(
      [&] {
        try {
          client->get(resources::kNamespaces, "", name);
          return false;
        } catch (const kube::NotFound&) {
          return true;
        }
      },
      std::chrono::seconds(60)))
      << "namespace " << name << " was not removed";
}

}  // namespace
}  // namespace kubedbt
