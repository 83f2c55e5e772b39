// A pod's life on the node agent: termination messages, restarts, init containers, the active
// deadline, and deletion (SIGTERM, grace period, SIGKILL, then the object goes away).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>

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

class NodeAgentPodLifecycle : public ::testing::Test {
 protected:
  std::unique_ptr<kube::Client> client = TestCluster::get().admin_client();
  TestNamespace ns{*client, "na-life"};
};

// Mounts the host folder `dir` at the same path in the pod ($MARKER): the pod leaves files there.
// "$$$$" in a command is the shell's "$$": Kubernetes turns "$$" into "$".
void with_marker(kube::Json& pod, const std::string& dir) {
  pod["spec"]["volumes"] = {{{"name", "marker"}, {"hostPath", {{"path", dir}}}}};
  pod["spec"]["containers"][0]["volumeMounts"] = {{{"name", "marker"}, {"mountPath", dir}}};
  pod["spec"]["containers"][0]["env"] = {{{"name", "MARKER"}, {"value", dir}}};
}

bool process_exists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST_F(NodeAgentPodLifecycle, TerminationMessageComesFromTheFile) {
  client->create(
      resources::kPods, ns.name(),
      testing::shell_pod("message", "printf 'all 3 models built' > /dev/termination-log"));
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "message", "Succeeded");
  const kube::Json terminated = testing::terminated_state(done);
  ASSERT_FALSE(terminated.is_null()) << done["status"].dump();
  EXPECT_EQ(terminated["message"], "all 3 models built");
  EXPECT_EQ(terminated["reason"], "Completed");
  EXPECT_EQ(done["status"]["podIP"], "127.0.0.1");
  EXPECT_TRUE(done["status"].contains("startTime"));
}

// An emptyDir mounted over the folder that holds the agent's own state (as an emptyDir on /tmp
// covers a state folder under /tmp) must not hide the sources of the pod's later mounts.
TEST_F(NodeAgentPodLifecycle, VolumeOverTheAgentsStateFolderHidesNoLaterMount) {
  client->create(resources::kConfigMaps, ns.name(),
                 {{"apiVersion", "v1"},
                  {"kind", "ConfigMap"},
                  {"metadata", {{"name", "settings"}}},
                  {"data", {{"greeting", "hello"}}}});
  kube::Json pod = testing::shell_pod(
      "covered", "cat /etc/settings/greeting > /dev/termination-log && ls " +
                     TestCluster::get().dir() + " | wc -l >> /dev/termination-log");
  pod["spec"]["volumes"] = {{{"name", "scratch"}, {"emptyDir", kube::Json::object()}},
                            {{"name", "settings"}, {"configMap", {{"name", "settings"}}}}};
  pod["spec"]["containers"][0]["volumeMounts"] = {
      {{"name", "scratch"}, {"mountPath", TestCluster::get().dir()}},
      {{"name", "settings"}, {"mountPath", "/etc/settings"}}};
  client->create(resources::kPods, ns.name(), pod);
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "covered", "Succeeded");
  const kube::Json terminated = testing::terminated_state(done);
  ASSERT_FALSE(terminated.is_null()) << done["status"].dump();
  // The ConfigMap and the termination log were mounted; the emptyDir shows an empty folder.
  EXPECT_EQ(terminated["message"], "hello0\n");
}

TEST_F(NodeAgentPodLifecycle, FallbackToLogsOnErrorReportsTheLogTail) {
  kube::Json pod =
      testing::shell_pod("fallback", "echo starting; echo 'relation does not exist' >&2; exit 7");
  pod["spec"]["containers"][0]["terminationMessagePolicy"] = "FallbackToLogsOnError";
  client->create(resources::kPods, ns.name(), pod);
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "fallback", "Failed");
  const kube::Json terminated = testing::terminated_state(done);
  ASSERT_FALSE(terminated.is_null()) << done["status"].dump();
  EXPECT_EQ(terminated["exitCode"], 7);
  EXPECT_EQ(terminated["reason"], "Error");
  EXPECT_THAT(terminated.value("message", ""), HasSubstr("relation does not exist"));
}

TEST_F(NodeAgentPodLifecycle, MissingExecutableIsAStartError) {
  kube::Json pod = testing::shell_pod("no-binary", "");
  pod["spec"]["containers"][0]["command"] = {"kubedbt-no-such-binary", "--flag"};
  client->create(resources::kPods, ns.name(), pod);
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "no-binary", "Failed");
  const kube::Json terminated = testing::terminated_state(done);
  ASSERT_FALSE(terminated.is_null()) << done["status"].dump();
  EXPECT_EQ(terminated["reason"], "StartError");
  EXPECT_EQ(terminated["exitCode"], 128);
  EXPECT_THAT(terminated.value("message", ""), HasSubstr("executable file not found in $PATH"));
}

// A volume with `mountPath` under a host folder of the test, so no mount point lands elsewhere.
kube::Json with_empty_dir(kube::Json container, const std::string& mount_path) {
  container["volumeMounts"] = {{{"name", "work"}, {"mountPath", mount_path}}};
  container["env"] = {{{"name", "WORK"}, {"value", mount_path}}};
  return container;
}

TEST_F(NodeAgentPodLifecycle, OnFailureRestartsUntilTheContainerSucceeds) {
  testing::HostDir mount_root;
  // The emptyDir outlives the first attempt: the second one finds the mark and succeeds.
  kube::Json pod = testing::shell_pod(
      "retry", "if [ -f $WORK/tried ]; then exit 0; fi; touch $WORK/tried; exit 1", "OnFailure");
  pod["spec"]["volumes"] = {{{"name", "work"}, {"emptyDir", kube::Json::object()}}};
  pod["spec"]["containers"][0] = with_empty_dir(pod["spec"]["containers"][0], mount_root.path());
  client->create(resources::kPods, ns.name(), pod);
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "retry", "Succeeded");
  const kube::Json status = done["status"]["containerStatuses"][0];
  EXPECT_EQ(status["restartCount"], 1);
  EXPECT_EQ(status["lastState"]["terminated"]["exitCode"], 1);
  EXPECT_EQ(status["state"]["terminated"]["exitCode"], 0);
}

TEST_F(NodeAgentPodLifecycle, InitContainersRunInOrderBeforeTheMainContainer) {
  testing::HostDir mount_root;
  auto container = [&](const std::string& name, const std::string& script) {
    return with_empty_dir({{"name", name}, {"image", "busybox"}, {"command", {"sh", "-c", script}}},
                          mount_root.path());
  };
  kube::Json pod = testing::shell_pod("ordered", "");
  pod["spec"]["volumes"] = {{{"name", "work"}, {"emptyDir", kube::Json::object()}}};
  pod["spec"]["initContainers"] = {container("first", "echo first >> $WORK/order"),
                                   container("second", "echo second >> $WORK/order")};
  pod["spec"]["containers"][0] = container(
      "main", "echo main >> $WORK/order; tr '\\n' , < $WORK/order > /dev/termination-log");
  client->create(resources::kPods, ns.name(), pod);
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "ordered", "Succeeded");
  EXPECT_EQ(testing::terminated_state(done).value("message", ""), "first,second,main,");
  ASSERT_EQ(done["status"]["initContainerStatuses"].size(), 2u);
  EXPECT_EQ(done["status"]["initContainerStatuses"][1]["state"]["terminated"]["reason"],
            "Completed");
}

TEST_F(NodeAgentPodLifecycle, ActiveDeadlineKillsThePodWithDeadlineExceeded) {
  kube::Json pod = testing::shell_pod("deadline", "sleep 300");
  pod["spec"]["activeDeadlineSeconds"] = 2;
  client->create(resources::kPods, ns.name(), pod);
  const kube::Json failed = testing::wait_for_phase(*client, ns.name(), "deadline", "Failed");
  EXPECT_EQ(failed["status"]["reason"], "DeadlineExceeded");
  EXPECT_THAT(failed["status"].value("message", ""), HasSubstr("deadline"));
  const kube::Json terminated = testing::terminated_state(failed);
  ASSERT_FALSE(terminated.is_null()) << failed["status"].dump();
  EXPECT_NE(terminated["exitCode"], 0);
}

TEST_F(NodeAgentPodLifecycle, DeletionSendsSigtermAndTheObjectGoesAway) {
  testing::HostDir host;
  kube::Json pod = testing::shell_pod(
      "graceful",
      "trap 'echo terminated > $MARKER/term; exit 0' TERM; echo $$$$ > $MARKER/pid; "
      "while true; do sleep 0.2; done");
  with_marker(pod, host.path());
  client->create(resources::kPods, ns.name(), pod);
  testing::wait_for_phase(*client, ns.name(), "graceful", "Running");
  ASSERT_TRUE(testing::eventually([&] { return !host.read("pid").empty(); }));

  client->remove(resources::kPods, ns.name(), "graceful");
  EXPECT_TRUE(testing::wait_until_gone(*client, ns.name(), "graceful"))
      << "the node agent did not delete the pod object after its process ended";
  EXPECT_EQ(host.read("term"), "terminated\n");
  const pid_t pid = std::stoi(host.read("pid"));
  EXPECT_TRUE(testing::eventually([&] { return !process_exists(pid); }));
}

TEST_F(NodeAgentPodLifecycle, DeletionKillsWhatIgnoresSigtermAfterTheGracePeriod) {
  testing::HostDir host;
  kube::Json pod = testing::shell_pod(
      "stubborn", "trap '' TERM; echo $$$$ > $MARKER/pid; while true; do sleep 0.2; done");
  pod["spec"]["terminationGracePeriodSeconds"] = 2;
  with_marker(pod, host.path());
  client->create(resources::kPods, ns.name(), pod);
  testing::wait_for_phase(*client, ns.name(), "stubborn", "Running");
  ASSERT_TRUE(testing::eventually([&] { return !host.read("pid").empty(); }));
  const pid_t pid = std::stoi(host.read("pid"));

  client->remove(resources::kPods, ns.name(), "stubborn");
  EXPECT_TRUE(testing::wait_until_gone(*client, ns.name(), "stubborn"));
  EXPECT_TRUE(testing::eventually([&] { return !process_exists(pid); }))
      << "process " << pid << " survived its pod";
}

}  // namespace
}  // namespace kubedbt
