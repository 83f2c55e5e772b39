// Tests of the agent's single-node scheduling decisions.
#include "tests/cluster/node-agent/scheduling.h"

#include <gtest/gtest.h>

namespace kubedbt::node_agent {
namespace {

const Json kLabels = {{"kubernetes.io/hostname", "kubedbt-node"}, {"kubernetes.io/os", "linux"}};

Json pending_pod(const Json& spec_extra = Json::object()) {
  Json pod = {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u-1"}}},
              {"spec", {{"containers", Json::array()}}},
              {"status", {{"phase", "Pending"}}}};
  pod["spec"].update(spec_extra);
  return pod;
}

TEST(WantsScheduling, TakesUnboundLivePodsOfTheDefaultScheduler) {
  EXPECT_TRUE(wants_scheduling(pending_pod()));
  EXPECT_TRUE(wants_scheduling(pending_pod({{"schedulerName", "default-scheduler"}})));
  EXPECT_FALSE(wants_scheduling(pending_pod({{"schedulerName", "volcano"}})));
  EXPECT_FALSE(wants_scheduling(pending_pod({{"nodeName", "elsewhere"}})));
  Json deleted = pending_pod();
  deleted["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  EXPECT_FALSE(wants_scheduling(deleted));
  Json failed = pending_pod();
  failed["status"]["phase"] = "Failed";
  EXPECT_FALSE(wants_scheduling(failed));
}

TEST(UnschedulableReason, NodeSelectorMustMatch) {
  EXPECT_EQ(unschedulable_reason(pending_pod({{"nodeSelector", {{"kubernetes.io/os", "linux"}}}}),
                                 kLabels),
            "");
  EXPECT_NE(unschedulable_reason(pending_pod({{"nodeSelector", {{"disk", "ssd"}}}}), kLabels), "");
}

TEST(UnschedulableReason, RequiredNodeAffinityTermsAreOredRequirementsAnded) {
  const Json affinity = Json::parse(R"J({"affinity": {"nodeAffinity": {
      "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "disk", "operator": "Exists"}]},
        {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                              {"key": "gpu", "operator": "DoesNotExist"}]}]}}}})J");
  EXPECT_EQ(unschedulable_reason(pending_pod(affinity), kLabels), "");
  const Json mismatch = Json::parse(R"J({"affinity": {"nodeAffinity": {
      "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "NotIn",
                               "values": ["linux"]}]}]}}}})J");
  EXPECT_NE(unschedulable_reason(pending_pod(mismatch), kLabels), "");
}

TEST(BindingFor, TargetsTheNodeAndPinsThePodUid) {
  const Json binding = binding_for(pending_pod(), "kubedbt-node");
  EXPECT_EQ(binding["kind"], "Binding");
  EXPECT_EQ(binding["metadata"]["name"], "p");
  EXPECT_EQ(binding["metadata"]["uid"], "u-1");
  EXPECT_EQ(binding["target"]["kind"], "Node");
  EXPECT_EQ(binding["target"]["name"], "kubedbt-node");
}

}  // namespace
}  // namespace kubedbt::node_agent
