// Tests of the Node object, its heartbeat status and its Lease.
#include "tests/cluster/node-agent/node_manifest.h"

#include <gtest/gtest.h>

namespace kubedbt::node_agent {
namespace {

using std::chrono::seconds;

const auto kNow = std::chrono::system_clock::from_time_t(1'700'000'000);

NodeFacts facts() {
  NodeFacts facts;
  facts.name = "kubedbt-node";
  facts.cpus = 4;
  facts.memory_bytes = 8LL << 30;
  facts.kubelet_version = "v1.36.3";
  return facts;
}

TEST(NodeManifest, CarriesTheWellKnownLabels) {
  const Json node = node_manifest(facts());
  EXPECT_EQ(node["metadata"]["name"], "kubedbt-node");
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/hostname"], "kubedbt-node");
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/os"], "linux");
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/arch"], "amd64");
}

TEST(NodeStatus, IsReadyWithCapacityAndLoopbackAddress) {
  const Json status = node_status(facts(), Json::object(), kNow);
  EXPECT_EQ(status["capacity"]["cpu"], "4");
  EXPECT_EQ(status["capacity"]["memory"], "8388608Ki");
  EXPECT_EQ(status["allocatable"], status["capacity"]);
  EXPECT_EQ(status["addresses"][0]["type"], "InternalIP");
  EXPECT_EQ(status["addresses"][0]["address"], "127.0.0.1");
  EXPECT_EQ(status["nodeInfo"]["kubeletVersion"], "v1.36.3");
  bool ready = false;
  for (const auto& condition : status["conditions"]) {
    if (condition["type"] == "Ready") ready = condition["status"] == "True";
    EXPECT_EQ(condition["lastHeartbeatTime"], "2023-11-14T22:13:20Z");
  }
  EXPECT_TRUE(ready);
}

TEST(NodeStatus, HeartbeatMovesButTransitionTimesStay) {
  const Json first = node_status(facts(), Json::object(), kNow);
  const Json later = node_status(facts(), first, kNow + seconds(30));
  EXPECT_EQ(later["conditions"][3]["lastTransitionTime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(later["conditions"][3]["lastHeartbeatTime"], "2023-11-14T22:13:50Z");
}

TEST(NodeLease, IsHeldByTheNodeAndOwnedByIt) {
  const Json lease = node_lease("kubedbt-node", "uid-1", 40, kNow + std::chrono::microseconds(42));
  EXPECT_EQ(lease["metadata"]["namespace"], "kube-node-lease");
  EXPECT_EQ(lease["metadata"]["ownerReferences"][0]["uid"], "uid-1");
  EXPECT_EQ(lease["spec"]["holderIdentity"], "kubedbt-node");
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 40);
  EXPECT_EQ(lease["spec"]["renewTime"], "2023-11-14T22:13:20.000042Z");
  EXPECT_FALSE(node_lease("n", "", 40, kNow)["metadata"].contains("ownerReferences"));
}

}  // namespace
}  // namespace kubedbt::node_agent
