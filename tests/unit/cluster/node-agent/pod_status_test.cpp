// Tests of pod phase and status building by the kubelet's rules.
#include "tests/cluster/node-agent/pod_status.h"

#include <gtest/gtest.h>

namespace kubedbt::node_agent {
namespace {

using std::chrono::seconds;

const TimePoint kStart = std::chrono::system_clock::from_time_t(1'700'000'000);

ContainerRecord container(const std::string& name, ContainerState state) {
  ContainerRecord record;
  record.name = name;
  record.image = "busybox";
  record.state = std::move(state);
  return record;
}

ContainerState exited(int code) {
  return ContainerState::terminated(code, 0, kStart, kStart + seconds(5));
}

PodRecord pod(const std::string& policy, std::vector<ContainerRecord> containers) {
  PodRecord record;
  record.restart_policy = policy;
  record.containers = std::move(containers);
  record.start_time = kStart;
  return record;
}

const Json* find_condition(const Json& status, const std::string& type) {
  for (const auto& condition : status["conditions"]) {
    if (condition["type"] == type) return &condition;
  }
  return nullptr;
}

TEST(PodPhase, PendingUntilEveryContainerHasStarted) {
  EXPECT_EQ(pod_phase(pod("Never", {container("a", ContainerState::running(kStart)),
                                    container("b", ContainerState::waiting("ContainerCreating"))})),
            "Pending");
}

TEST(PodPhase, NeverPolicyEndsInSucceededOrFailed) {
  EXPECT_EQ(pod_phase(pod("Never", {container("a", exited(0))})), "Succeeded");
  EXPECT_EQ(pod_phase(pod("Never", {container("a", exited(0)), container("b", exited(2))})),
            "Failed");
  EXPECT_EQ(pod_phase(pod("Never", {container("a", exited(0)),
                                    container("b", ContainerState::running(kStart))})),
            "Running");
}

TEST(PodPhase, OnFailureRestartsFailuresAndAlwaysRestartsEverything) {
  EXPECT_EQ(pod_phase(pod("OnFailure", {container("a", exited(1))})), "Running");
  EXPECT_EQ(pod_phase(pod("OnFailure", {container("a", exited(0))})), "Succeeded");
  EXPECT_EQ(pod_phase(pod("Always", {container("a", exited(0))})), "Running");
  ContainerRecord backing_off = container("a", ContainerState::waiting("CrashLoopBackOff"));
  backing_off.last_state = exited(1);
  EXPECT_EQ(pod_phase(pod("OnFailure", {backing_off})), "Running");
}

TEST(PodPhase, StoppingPodsRestartNothingAndEndTerminal) {
  PodRecord record = pod("Always", {container("a", exited(0))});
  record.stopping = true;
  EXPECT_EQ(pod_phase(record), "Succeeded");
  record.containers[0].state = exited(143);
  EXPECT_EQ(pod_phase(record), "Failed");
  record = pod("Always", {container("a", ContainerState::waiting("ContainerCreating"))});
  record.stopping = true;
  EXPECT_EQ(pod_phase(record), "Failed");
}

TEST(PodPhase, InitContainersGateThePod) {
  PodRecord record = pod("Never", {container("main", ContainerState::waiting("PodInitializing"))});
  record.init_containers = {container("init", ContainerState::running(kStart))};
  EXPECT_EQ(pod_phase(record), "Pending");
  record.init_containers[0].state = exited(1);
  EXPECT_EQ(pod_phase(record), "Failed");
  record.restart_policy = "OnFailure";
  EXPECT_EQ(pod_phase(record), "Pending");
  record.init_containers[0].state = exited(0);
  record.containers[0].state = ContainerState::running(kStart);
  EXPECT_EQ(pod_phase(record), "Running");
}

TEST(PodPhase, ForcedFailureWins) {
  PodRecord record = pod("Always", {container("a", ContainerState::running(kStart))});
  record.failed = true;
  EXPECT_EQ(pod_phase(record), "Failed");
}

TEST(BuildPodStatus, RunningPodIsReadyWithRunningContainerState) {
  PodRecord record = pod("Never", {container("main", ContainerState::running(kStart))});
  record.sandbox_ready = true;
  const Json status = build_pod_status(record, Json::object(), kStart + seconds(1));
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["podIP"], "127.0.0.1");
  EXPECT_EQ(status["hostIPs"][0]["ip"], "127.0.0.1");
  EXPECT_EQ(status["startTime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ((*find_condition(status, "Ready"))["status"], "True");
  EXPECT_EQ((*find_condition(status, "PodScheduled"))["status"], "True");
  EXPECT_EQ((*find_condition(status, "Initialized"))["status"], "True");
  const Json& main = status["containerStatuses"][0];
  EXPECT_EQ(main["state"]["running"]["startedAt"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(main["ready"], true);
  EXPECT_EQ(main["lastState"], Json::object());
  EXPECT_FALSE(status.contains("initContainerStatuses"));
}

TEST(BuildPodStatus, TerminatedContainerCarriesExitCodeReasonAndMessage) {
  ContainerRecord record =
      container("main", ContainerState::terminated(3, 0, kStart, kStart + seconds(2), "bye\n"));
  record.container_id = "kubedbt://u-main-0";
  const Json status = build_pod_status(pod("Never", {record}), Json::object(), kStart);
  EXPECT_EQ(status["phase"], "Failed");
  const Json& terminated = status["containerStatuses"][0]["state"]["terminated"];
  EXPECT_EQ(terminated["exitCode"], 3);
  EXPECT_EQ(terminated["reason"], "Error");
  EXPECT_EQ(terminated["message"], "bye\n");
  EXPECT_EQ(terminated["finishedAt"], "2023-11-14T22:13:22Z");
  EXPECT_EQ(terminated["containerID"], "kubedbt://u-main-0");
  EXPECT_FALSE(terminated.contains("signal"));
  const Json* ready = find_condition(status, "Ready");
  EXPECT_EQ((*ready)["status"], "False");
  EXPECT_EQ((*ready)["reason"], "PodCompleted");
}

TEST(BuildPodStatus, DeadlineExceededIsThePodReason) {
  PodRecord record =
      pod("Never",
          {container("main", ContainerState::terminated(143, 15, kStart, kStart + seconds(3)))});
  record.failed = true;
  record.reason = "DeadlineExceeded";
  record.message = "Pod was active on the node longer than the specified deadline";
  const Json status = build_pod_status(record, Json::object(), kStart);
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["reason"], "DeadlineExceeded");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["terminated"]["signal"], 15);
}

TEST(BuildPodStatus, KeepsTransitionTimesWhileAConditionHolds) {
  PodRecord record = pod("Never", {container("main", ContainerState::running(kStart))});
  const Json first = build_pod_status(record, Json::object(), kStart);
  const Json again = build_pod_status(record, first, kStart + seconds(30));
  EXPECT_EQ(first, again);
  record.containers[0].state = exited(0);
  const Json done = build_pod_status(record, again, kStart + seconds(60));
  EXPECT_EQ((*find_condition(done, "Ready"))["lastTransitionTime"], "2023-11-14T22:14:20Z");
  EXPECT_EQ((*find_condition(done, "PodScheduled"))["lastTransitionTime"], "2023-11-14T22:13:20Z");
}

TEST(BuildPodStatus, RestartedContainerShowsCountAndLastState) {
  ContainerRecord record =
      container("main", ContainerState::waiting("CrashLoopBackOff", "back-off"));
  record.last_state = exited(1);
  record.restart_count = 2;
  PodRecord with_init = pod("OnFailure", {record});
  with_init.init_containers = {container("init", exited(0))};
  const Json status = build_pod_status(with_init, Json::object(), kStart);
  const Json& main = status["containerStatuses"][0];
  EXPECT_EQ(main["restartCount"], 2);
  EXPECT_EQ(main["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(main["lastState"]["terminated"]["exitCode"], 1);
  EXPECT_EQ(status["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
  const Json* ready = find_condition(status, "ContainersReady");
  EXPECT_EQ((*ready)["message"], "containers with unready status: [main]");
}

}  // namespace
}  // namespace kubedbt::node_agent
