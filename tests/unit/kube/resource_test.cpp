// Tests of REST paths for core, grouped, namespaced and cluster-scoped resources.
#include "kube/resource.h"

#include <gtest/gtest.h>

namespace kubedbt::kube {
namespace {

TEST(ResourceTest, CoreGroupPaths) {
  EXPECT_EQ(resources::kConfigMaps.api_version(), "v1");
  EXPECT_EQ(resources::kConfigMaps.api_prefix(), "/api/v1");
  EXPECT_EQ(resources::kConfigMaps.collection_path("team"), "/api/v1/namespaces/team/configmaps");
  EXPECT_EQ(resources::kConfigMaps.object_path("team", "cm"),
            "/api/v1/namespaces/team/configmaps/cm");
}

TEST(ResourceTest, EmptyNamespaceListsAcrossNamespaces) {
  EXPECT_EQ(resources::kSecrets.collection_path(""), "/api/v1/secrets");
}

TEST(ResourceTest, NamedGroupPaths) {
  Resource runs{"kubedbt.io", "v1alpha1", "dbtruns", true};
  EXPECT_EQ(runs.api_version(), "kubedbt.io/v1alpha1");
  EXPECT_EQ(runs.object_path("ci", "run-1", "status"),
            "/apis/kubedbt.io/v1alpha1/namespaces/ci/dbtruns/run-1/status");
}

TEST(ResourceTest, ClusterScopedIgnoresNamespace) {
  EXPECT_EQ(resources::kNamespaces.object_path("ignored", "team"), "/api/v1/namespaces/team");
  EXPECT_EQ(resources::kCustomResourceDefinitions.collection_path(""),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
}

TEST(ResourceTest, Subresources) {
  EXPECT_EQ(resources::kServiceAccounts.object_path("ns", "runner", "token"),
            "/api/v1/namespaces/ns/serviceaccounts/runner/token");
  EXPECT_EQ(resources::kPods.object_path("ns", "p", "binding"),
            "/api/v1/namespaces/ns/pods/p/binding");
}

}  // namespace
}  // namespace kubedbt::kube
