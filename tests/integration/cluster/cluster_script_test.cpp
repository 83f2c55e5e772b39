// cluster.sh's maintenance subcommands as tests use them: restarting kube-apiserver keeps its
// port and data; compacting etcd (then restarting) makes older resourceVersions Gone.
#include <gtest/gtest.h>

#include "kube/client.h"
#include "kube/errors.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt {
namespace {

using testing::TestCluster;
using testing::TestNamespace;
namespace resources = kube::resources;

kube::Json config_map(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}};
}

TEST(ClusterScript, RestartedApiServerKeepsItsPortAndData) {
  const auto& cluster = TestCluster::get();
  auto client = cluster.admin_client();
  TestNamespace ns(*client, "restart");
  client->create(resources::kConfigMaps, ns.name(), config_map("kept"));

  cluster.restart_apiserver();

  // Same kubeconfig (same port), same etcd: the object is still there.
  auto after = cluster.admin_client();
  const auto kept = after->get(resources::kConfigMaps, ns.name(), "kept");
  EXPECT_EQ(kept["metadata"]["name"], "kept");
  const auto readyz = cluster.kubectl({"get", "--raw", "/readyz"});
  EXPECT_EQ(readyz.out, "ok") << readyz.err;
}

TEST(ClusterScript, CompactionExpiresOlderResourceVersions) {
  const auto& cluster = TestCluster::get();
  auto client = cluster.admin_client();
  TestNamespace ns(*client, "compact");
  const auto first = client->create(resources::kConfigMaps, ns.name(), config_map("first"));
  const std::string old_version = first["metadata"]["resourceVersion"];
  client->create(resources::kConfigMaps, ns.name(), config_map("second"));

  cluster.compact_etcd();
  // kube-apiserver's watch cache still holds recent history; after a restart it holds none older
  // than the compaction, so a watch from the old version is answered 410 Gone.
  cluster.restart_apiserver();

  const auto watch =
      cluster.kubectl({"get", "--raw",
                       "/api/v1/namespaces/" + ns.name() +
                           "/configmaps?watch=1&timeoutSeconds=5&resourceVersion=" + old_version});
  EXPECT_NE(watch.out.find("\"code\":410"), std::string::npos) << watch.out << watch.err;
}

}  // namespace
}  // namespace kubedbt
