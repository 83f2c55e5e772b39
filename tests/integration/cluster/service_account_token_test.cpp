// ServiceAccount tokens: TokenRequest returns a token that authenticates as the ServiceAccount,
// is bound to it, and stops working when the ServiceAccount is deleted.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kube/client.h"
#include "kube/errors.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt {
namespace {

using testing::TestCluster;
using testing::TestNamespace;
namespace resources = kube::resources;

// kubectl with only a bearer token: no kubeconfig credentials at all.
testing::CommandResult kubectl_with_token(const std::string& token,
                                          const std::vector<std::string>& args) {
  const auto& cluster = TestCluster::get();
  const kube::Config admin = cluster.admin_config();
  std::vector<std::string> argv{cluster.kubectl_path(),
                                "--kubeconfig",
                                "/dev/null",
                                "--server",
                                admin.server,
                                "--certificate-authority",
                                cluster.dir() + "/pki/ca.crt",
                                "--token",
                                token};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_command(argv);
}

std::string request_token(kube::Client& client, const std::string& ns, const std::string& account) {
  const kube::Json request = {{"apiVersion", "authentication.k8s.io/v1"},
                              {"kind", "TokenRequest"},
                              {"spec", {{"expirationSeconds", 600}}}};
  const auto answer = client.create(resources::kServiceAccounts, ns, request, "token", account);
  return answer.at("status").at("token").get<std::string>();
}

TEST(ServiceAccountToken, TokenRequestAuthenticatesAsTheServiceAccount) {
  auto admin = TestCluster::get().admin_client();
  TestNamespace ns(*admin, "sa-token");
  admin->create(
      resources::kServiceAccounts, ns.name(),
      {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "runner"}}}});

  const std::string token = request_token(*admin, ns.name(), "runner");
  ASSERT_FALSE(token.empty());

  const auto whoami = kubectl_with_token(token, {"auth", "whoami", "--output", "json"});
  ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
  const auto review = nlohmann::json::parse(whoami.out);
  EXPECT_EQ(review["status"]["userInfo"]["username"],
            "system:serviceaccount:" + ns.name() + ":runner");
  const auto groups = review["status"]["userInfo"]["groups"];
  EXPECT_NE(std::find(groups.begin(), groups.end(), "system:serviceaccounts:" + ns.name()),
            groups.end())
      << groups.dump();

  // Authenticated, but RBAC grants a fresh ServiceAccount nothing.
  const auto list = kubectl_with_token(token, {"get", "configmaps", "--namespace", ns.name()});
  EXPECT_NE(list.exit_code, 0);
  EXPECT_NE(list.err.find("is forbidden"), std::string::npos) << list.err;
}

TEST(ServiceAccountToken, TokenDiesWithItsServiceAccount) {
  auto admin = TestCluster::get().admin_client();
  TestNamespace ns(*admin, "sa-bound");
  admin->create(
      resources::kServiceAccounts, ns.name(),
      {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "gone"}}}});
  const std::string token = request_token(*admin, ns.name(), "gone");
  ASSERT_EQ(kubectl_with_token(token, {"auth", "whoami"}).exit_code, 0);

  admin->remove(resources::kServiceAccounts, ns.name(), "gone");
  EXPECT_TRUE(testing::eventually([&] {
    const auto whoami = kubectl_with_token(token, {"auth", "whoami"});
    return whoami.exit_code != 0 && whoami.err.find("Unauthorized") != std::string::npos;
  })) << "a token of a deleted ServiceAccount still authenticates";
}

TEST(ServiceAccountToken, TokenForAMissingServiceAccountIsNotFound) {
  auto admin = TestCluster::get().admin_client();
  TestNamespace ns(*admin, "sa-missing");
  EXPECT_THROW(request_token(*admin, ns.name(), "does-not-exist"), kube::NotFound);
}

}  // namespace
}  // namespace kubedbt
