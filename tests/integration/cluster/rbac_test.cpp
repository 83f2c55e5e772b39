// RBAC is enforced for client-certificate users: no binding means Forbidden; a Role bound to a
// user's group grants exactly what the Role says.
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

// `kubectl auth can-i VERB RESOURCE -n NS` as the user of `kubeconfig`: exit 0 = yes, 1 = no.
bool can_i(const std::string& kubeconfig, const std::string& verb, const std::string& resource,
           const std::string& ns) {
  const auto result = TestCluster::get().kubectl(
      {"auth", "can-i", verb, resource, "--namespace", ns}, "", kubeconfig);
  if (result.exit_code != 0 && result.exit_code != 1) {
    throw std::runtime_error("kubectl auth can-i failed: " + result.err);
  }
  return result.exit_code == 0;
}

TEST(Rbac, UserWithoutBindingsIsForbidden) {
  const auto& cluster = TestCluster::get();
  auto admin = cluster.admin_client();
  TestNamespace ns(*admin, "rbac-none");
  const std::string user = ns.name() + "-nobody";
  const std::string kubeconfig = cluster.user_kubeconfig(user, {ns.name() + "-nobodies"});

  const auto get = cluster.kubectl({"get", "configmaps", "--namespace", ns.name()}, "", kubeconfig);
  EXPECT_NE(get.exit_code, 0);
  EXPECT_NE(get.err.find("is forbidden"), std::string::npos) << get.err;
  EXPECT_NE(get.err.find("User \"" + user + "\""), std::string::npos) << get.err;
  EXPECT_FALSE(can_i(kubeconfig, "list", "configmaps", ns.name()));

  auto as_user = kube::make_client(cluster.user_config(user, {ns.name() + "-nobodies"}));
  EXPECT_THROW(as_user->list(resources::kConfigMaps, ns.name()), kube::Forbidden);
}

TEST(Rbac, GroupBoundToRoleGetsExactlyThatRole) {
  const auto& cluster = TestCluster::get();
  auto admin = cluster.admin_client();
  TestNamespace ns(*admin, "rbac-role");
  TestNamespace other(*admin, "rbac-other");
  const std::string group = ns.name() + "-readers";
  const std::string kubeconfig = cluster.user_kubeconfig(ns.name() + "-reader", {group});

  admin->create(resources::kRoles, ns.name(),
                {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "Role"},
                 {"metadata", {{"name", "configmap-reader"}}},
                 {"rules",
                  {{{"apiGroups", {""}},
                    {"resources", {"configmaps"}},
                    {"verbs", {"get", "list", "watch"}}}}}});
  admin->create(
      resources::kRoleBindings, ns.name(),
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "RoleBinding"},
       {"metadata", {{"name", "readers"}}},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"},
         {"kind", "Role"},
         {"name", "configmap-reader"}}},
       {"subjects",
        {{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Group"}, {"name", group}}}}});

  // The authorizer reads bindings from its informer cache: wait for it to see this one.
  ASSERT_TRUE(testing::eventually([&] {
    return can_i(kubeconfig, "list", "configmaps", ns.name());
  })) << "the RoleBinding never took effect";
  EXPECT_TRUE(can_i(kubeconfig, "get", "configmaps", ns.name()));
  EXPECT_TRUE(can_i(kubeconfig, "watch", "configmaps", ns.name()));
  EXPECT_FALSE(can_i(kubeconfig, "create", "configmaps", ns.name()));
  EXPECT_FALSE(can_i(kubeconfig, "delete", "configmaps", ns.name()));
  EXPECT_FALSE(can_i(kubeconfig, "list", "secrets", ns.name()));
  EXPECT_FALSE(can_i(kubeconfig, "list", "configmaps", other.name()));

  const auto list =
      cluster.kubectl({"get", "configmaps", "--namespace", ns.name()}, "", kubeconfig);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  const auto create =
      cluster.kubectl({"create", "configmap", "nope", "--namespace", ns.name()}, "", kubeconfig);
  EXPECT_NE(create.exit_code, 0);
  EXPECT_NE(create.err.find("is forbidden"), std::string::npos) << create.err;
}

}  // namespace
}  // namespace kubedbt
