// The node agent across a kube-apiserver restart: a pod that was running keeps running and its
// outcome is reported once the API is back; pods created afterwards are scheduled and run.
#include <gtest/gtest.h>

#include <fstream>

#include "kube/client.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/node-agent/pod_helpers.h"

namespace kubedbt {
namespace {

using testing::TestCluster;
using testing::TestNamespace;
namespace resources = kube::resources;

TEST(NodeAgentApiServerRestart, RunningPodFinishesAndNewPodsRunAfterTheRestart) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "na-restart");
  testing::HostDir host;
  // Runs until the test drops a file next to it, then reports what it found.
  kube::Json pod = testing::shell_pod(
      "survivor",
      "while [ ! -f $MARKER/go ]; do sleep 0.2; done; cat $MARKER/go > /dev/termination-log");
  pod["spec"]["volumes"] = {{{"name", "marker"}, {"hostPath", {{"path", host.path()}}}}};
  pod["spec"]["containers"][0]["volumeMounts"] = {{{"name", "marker"}, {"mountPath", host.path()}}};
  pod["spec"]["containers"][0]["env"] = {{{"name", "MARKER"}, {"value", host.path()}}};
  client->create(resources::kPods, ns.name(), pod);
  testing::wait_for_phase(*client, ns.name(), "survivor", "Running");

  TestCluster::get().restart_apiserver();
  std::ofstream(host.path() + "/go") << "released after restart";

  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "survivor", "Succeeded");
  EXPECT_EQ(testing::terminated_state(done).value("message", ""), "released after restart");
  client->create(resources::kPods, ns.name(), testing::shell_pod("newcomer", "true"));
  testing::wait_for_phase(*client, ns.name(), "newcomer", "Succeeded");
}

}  // namespace
}  // namespace kubedbt
