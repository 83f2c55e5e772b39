// Tests of the downward API: fieldRef paths and resourceFieldRef values.
#include "tests/cluster/node-agent/downward_api.h"

#include <gtest/gtest.h>

namespace kubedbt::node_agent {
namespace {

Json sample_pod() {
  return Json::parse(R"J({
    "metadata": {"name": "web-1", "namespace": "shop", "uid": "u-1",
                 "labels": {"app": "web", "tier": "front"},
                 "annotations": {"note": "hi \"there\""}},
    "spec": {"nodeName": "kubedbt-node", "serviceAccountName": "runner",
             "containers": [{"name": "main", "resources": {
                 "limits": {"cpu": "1500m", "memory": "64Mi"},
                 "requests": {"cpu": "250m"}}},
                            {"name": "side"}]}
  })J");
}

TEST(ResolveFieldPath, ReadsMetadataSpecAndRuntimeFacts) {
  const Json pod = sample_pod();
  PodRuntimeFacts facts;
  facts.pod_ip = "127.0.0.2";
  EXPECT_EQ(resolve_field_path(pod, "metadata.name", facts), "web-1");
  EXPECT_EQ(resolve_field_path(pod, "metadata.namespace", facts), "shop");
  EXPECT_EQ(resolve_field_path(pod, "metadata.uid", facts), "u-1");
  EXPECT_EQ(resolve_field_path(pod, "spec.nodeName", facts), "kubedbt-node");
  EXPECT_EQ(resolve_field_path(pod, "spec.serviceAccountName", facts), "runner");
  EXPECT_EQ(resolve_field_path(pod, "status.podIP", facts), "127.0.0.2");
  EXPECT_EQ(resolve_field_path(pod, "status.hostIP", facts), "127.0.0.1");
}

TEST(ResolveFieldPath, ReadsOneLabelOrAnnotationAndEmptyWhenAbsent) {
  const Json pod = sample_pod();
  EXPECT_EQ(resolve_field_path(pod, "metadata.labels['app']", {}), "web");
  EXPECT_EQ(resolve_field_path(pod, "metadata.annotations['note']", {}), "hi \"there\"");
  EXPECT_EQ(resolve_field_path(pod, "metadata.labels['missing']", {}), "");
}

TEST(ResolveFieldPath, FormatsAllLabelsAsSortedQuotedLines) {
  EXPECT_EQ(resolve_field_path(sample_pod(), "metadata.labels", {}),
            "app=\"web\"\ntier=\"front\"\n");
  EXPECT_EQ(resolve_field_path(sample_pod(), "metadata.annotations", {}),
            "note=\"hi \\\"there\\\"\"\n");
}

TEST(ResolveFieldPath, RefusesUnsupportedPathsNamingThem) {
  try {
    resolve_field_path(sample_pod(), "spec.hostname", {});
    FAIL() << "expected ContainerConfigError";
  } catch (const ContainerConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("spec.hostname"), std::string::npos);
  }
}

TEST(ResolveResourceField, DividesAndRoundsUp) {
  const Json pod = sample_pod();
  EXPECT_EQ(resolve_resource_field(pod, "main", {{"resource", "limits.cpu"}}, {}), "2");
  EXPECT_EQ(
      resolve_resource_field(pod, "main", {{"resource", "limits.cpu"}, {"divisor", "1m"}}, {}),
      "1500");
  EXPECT_EQ(
      resolve_resource_field(pod, "main", {{"resource", "limits.memory"}, {"divisor", "1Mi"}}, {}),
      "64");
  EXPECT_EQ(
      resolve_resource_field(pod, "main", {{"resource", "requests.cpu"}, {"divisor", "1m"}}, {}),
      "250");
}

TEST(ResolveResourceField, FallsBackToTheNodeForMissingLimits) {
  PodRuntimeFacts facts;
  facts.node_cpu = "8";
  facts.node_memory = "2Gi";
  const Json pod = sample_pod();
  EXPECT_EQ(resolve_resource_field(pod, "side", {{"resource", "limits.cpu"}}, facts), "8");
  EXPECT_EQ(
      resolve_resource_field(
          pod, "ignored",
          {{"containerName", "side"}, {"resource", "limits.memory"}, {"divisor", "1Mi"}}, facts),
      "2048");
  EXPECT_EQ(resolve_resource_field(pod, "side", {{"resource", "requests.memory"}}, facts), "0");
}

TEST(ResolveResourceField, RefusesUnknownContainersAndResources) {
  const Json pod = sample_pod();
  EXPECT_THROW(resolve_resource_field(pod, "nope", {{"resource", "limits.cpu"}}, {}),
               ContainerConfigError);
  EXPECT_THROW(resolve_resource_field(pod, "main", {{"resource", "limits.gpu"}}, {}),
               ContainerConfigError);
  EXPECT_THROW(
      resolve_resource_field(pod, "main", {{"resource", "limits.cpu"}, {"divisor", "x"}}, {}),
      ContainerConfigError);
}

}  // namespace
}  // namespace kubedbt::node_agent
