// The node agent as its cluster's scheduler: pending pods are bound to its Node, pods it cannot
// take are marked Unschedulable and left alone; the Node itself is registered and Ready.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/client.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/node-agent/pod_helpers.h"

namespace kubedbt {
namespace {

using ::testing::HasSubstr;
using testing::TestCluster;
using testing::TestNamespace;
namespace resources = kube::resources;

TEST(NodeAgentScheduling, NodeIsReadyWithAFreshLease) {
  auto client = TestCluster::get().admin_client();
  const kube::Json node = client->get(resources::kNodes, "", testing::kNodeName);
  bool ready = false;
  for (const auto& condition : node["status"]["conditions"]) {
    if (condition["type"] == "Ready") ready = condition["status"] == "True";
  }
  EXPECT_TRUE(ready) << node["status"].dump();
  EXPECT_EQ(node["status"]["addresses"][0]["address"], "127.0.0.1");
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/hostname"], testing::kNodeName);
  const kube::Json lease = client->get(resources::kLeases, "kube-node-lease", testing::kNodeName);
  const std::string first_renewal = lease["spec"]["renewTime"];
  EXPECT_EQ(lease["spec"]["holderIdentity"], testing::kNodeName);
  EXPECT_TRUE(testing::eventually(
      [&] {
        return client->get(resources::kLeases, "kube-node-lease",
                           testing::kNodeName)["spec"]["renewTime"] != first_renewal;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(500)))
      << "the node lease was not renewed";
}

TEST(NodeAgentScheduling, PendingPodIsBoundToTheNode) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "na-sched");
  client->create(resources::kPods, ns.name(), testing::shell_pod("bound", "true"));
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "bound", "Succeeded");
  EXPECT_EQ(done["spec"]["nodeName"], testing::kNodeName);
}

TEST(NodeAgentScheduling, PodWithAnUnmatchedNodeSelectorStaysPendingAndUnschedulable) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "na-sched");
  kube::Json pod = testing::shell_pod("elsewhere", "true");
  pod["spec"]["nodeSelector"] = {{"disktype", "ssd"}};
  client->create(resources::kPods, ns.name(), pod);
  kube::Json current;
  ASSERT_TRUE(testing::eventually([&] {
    current = client->get(resources::kPods, ns.name(), "elsewhere");
    for (const auto& condition :
         current.value("status", kube::Json::object()).value("conditions", kube::Json::array())) {
      if (condition["type"] == "PodScheduled" && condition["status"] == "False") return true;
    }
    return false;
  })) << current.value("status", kube::Json()).dump();
  EXPECT_EQ(current["status"]["conditions"][0]["reason"], "Unschedulable");
  EXPECT_THAT(current["status"]["conditions"][0].value("message", ""), HasSubstr("selector"));
  EXPECT_EQ(current["spec"].value("nodeName", ""), "");
  EXPECT_EQ(current["status"]["phase"], "Pending");
}

}  // namespace
}  // namespace kubedbt
