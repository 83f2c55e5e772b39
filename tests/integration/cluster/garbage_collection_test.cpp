// The garbage collector of kube-controller-manager: deleting an owner removes its dependents,
// unless the deletion orphans them.
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

kube::Json config_map(const std::string& name, const kube::Json& owner = nullptr) {
  kube::Json object = {{"apiVersion", "v1"},
                       {"kind", "ConfigMap"},
                       {"metadata", {{"name", name}}},
                       {"data", {{"role", name}}}};
  if (!owner.is_null()) {
    object["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"},
                                              {"kind", "ConfigMap"},
                                              {"name", owner["metadata"]["name"]},
                                              {"uid", owner["metadata"]["uid"]}}};
  }
  return object;
}

bool config_map_exists(kube::Client& client, const std::string& ns, const std::string& name) {
  try {
    client.get(resources::kConfigMaps, ns, name);
    return true;
  } catch (const kube::NotFound&) {
    return false;
  }
}

TEST(GarbageCollection, DeletingTheOwnerDeletesTheDependent) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "gc");
  const auto owner = client->create(resources::kConfigMaps, ns.name(), config_map("owner"));
  client->create(resources::kConfigMaps, ns.name(), config_map("dependent", owner));
  client->create(resources::kConfigMaps, ns.name(), config_map("bystander"));

  kube::DeleteOptions background;
  background.propagation_policy = "Background";
  client->remove(resources::kConfigMaps, ns.name(), "owner", background);

  EXPECT_TRUE(
      testing::eventually([&] { return !config_map_exists(*client, ns.name(), "dependent"); },
                          std::chrono::seconds(60)))
      << "the garbage collector did not delete the dependent";
  EXPECT_TRUE(config_map_exists(*client, ns.name(), "bystander"));
}

TEST(GarbageCollection, ForegroundDeletionWaitsForTheDependent) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "gc-foreground");
  const auto owner = client->create(resources::kConfigMaps, ns.name(), config_map("owner"));
  client->create(resources::kConfigMaps, ns.name(), config_map("dependent", owner));

  kube::DeleteOptions foreground;
  foreground.propagation_policy = "Foreground";
  client->remove(resources::kConfigMaps, ns.name(), "owner", foreground);

  EXPECT_TRUE(testing::eventually(
      [&] {
        return !config_map_exists(*client, ns.name(), "owner") &&
               !config_map_exists(*client, ns.name(), "dependent");
      },
      std::chrono::seconds(60)))
      << "foreground deletion did not finish";
}

TEST(GarbageCollection, OrphanedDependentSurvivesWithoutItsOwnerReference) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "gc-orphan");
  const auto owner = client->create(resources::kConfigMaps, ns.name(), config_map("owner"));
  client->create(resources::kConfigMaps, ns.name(), config_map("dependent", owner));

  kube::DeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  client->remove(resources::kConfigMaps, ns.name(), "owner", orphan);

  kube::Json dependent;
  ASSERT_TRUE(testing::eventually(
      [&] {
        if (config_map_exists(*client, ns.name(), "owner")) return false;
        dependent = client->get(resources::kConfigMaps, ns.name(), "dependent");
        return !dependent["metadata"].contains("ownerReferences");
      },
      std::chrono::seconds(60)))
      << "the owner was not removed with its dependent orphaned";
  EXPECT_EQ(dependent["data"]["role"], "dependent");
}

}  // namespace
}  // namespace kubedbt
