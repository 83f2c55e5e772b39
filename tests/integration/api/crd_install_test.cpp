// The CRDs install, become Established, carry names/category/subresource, and document every
// field; `kubectl get dbt` lists all three kinds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/api/crd_fixture.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;

class ApiCrdInstallTest : public ::testing::Test {
 protected:
  void SetUp() override { install_crds(); }
};

json crd(const std::string& name) {
  CommandResult r = TestCluster::get().kubectl({"get", "crd", name, "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

TEST_F(ApiCrdInstallTest, EachCrdIsEstablishedNamespacedWithCategoryShortNamesAndStatus) {
  struct Expected {
    const char* name;
    const char* kind;
    const char* short_name;
  };
  for (const Expected& e : {Expected{"dbtprojects.kubedbt.io", "DbtProject", "dbtp"},
                            Expected{"dbtschedules.kubedbt.io", "DbtSchedule", "dbts"},
                            Expected{"dbtruns.kubedbt.io", "DbtRun", "dbtr"}}) {
    SCOPED_TRACE(e.name);
    json c = crd(e.name);
    EXPECT_EQ(c["spec"]["group"], "kubedbt.io");
    EXPECT_EQ(c["spec"]["scope"], "Namespaced");
    EXPECT_EQ(c["spec"]["names"]["kind"], e.kind);
    EXPECT_THAT(c["spec"]["names"]["categories"], Contains("dbt"));
    EXPECT_THAT(c["spec"]["names"]["shortNames"], Contains(e.short_name));
    ASSERT_EQ(c["spec"]["versions"].size(), 1u);
    EXPECT_EQ(c["spec"]["versions"][0]["name"], "v1alpha1");
    EXPECT_TRUE(c["spec"]["versions"][0]["subresources"].contains("status"));
    bool established = false;
    for (const auto& cond : c["status"]["conditions"]) {
      if (cond["type"] == "Established") established = cond["status"] == "True";
    }
    EXPECT_TRUE(established);
  }
}

// Collects the path of every schema node below `path` that has no description. Nodes inside
// x-kubernetes-preserve-unknown-fields objects have no schema; metadata is Kubernetes'.
void undocumented(const json& schema, const std::string& path, std::vector<std::string>& out) {
  if (!schema.contains("description") || schema["description"].get<std::string>().empty()) {
    out.push_back(path);
  }
  if (schema.contains("properties")) {
    for (const auto& [name, child] : schema["properties"].items()) {
      if (path.empty() && name == "metadata") continue;
      undocumented(child, path.empty() ? name : path + "." + name, out);
    }
  }
  if (schema.contains("items")) undocumented(schema["items"], path + "[]", out);
  if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object() &&
      schema["additionalProperties"].contains("properties")) {
    undocumented(schema["additionalProperties"], path + ".<name>", out);
  }
}

TEST_F(ApiCrdInstallTest, EveryFieldHasADescription) {
  for (const char* name :
       {"dbtprojects.kubedbt.io", "dbtschedules.kubedbt.io", "dbtruns.kubedbt.io"}) {
    SCOPED_TRACE(name);
    std::vector<std::string> missing;
    undocumented(crd(name)["spec"]["versions"][0]["schema"]["openAPIV3Schema"], "", missing);
    EXPECT_THAT(missing, ::testing::IsEmpty());
  }
}

TEST_F(ApiCrdInstallTest, InstallingAgainIsANoOp) {
  CommandResult r =
      TestCluster::get().kubectl({"apply", "--server-side", "--force-conflicts",
                                  "--field-manager=kubedbt-tests", "-f", source_path("crds")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("dbtschedules.kubedbt.io serverside-applied"));
}

TEST_F(ApiCrdInstallTest, KubectlGetDbtListsAllThreeKindsAndShortNamesWork) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "api-dbt");
  CommandResult applied = TestCluster::get().kubectl(
      {"-n", ns.name(), "apply", "-f", source_path("examples/manifests")});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;

  CommandResult all = TestCluster::get().kubectl({"-n", ns.name(), "get", "dbt", "-o", "name"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_THAT(all.out, HasSubstr("dbtproject.kubedbt.io/shop"));
  EXPECT_THAT(all.out, HasSubstr("dbtschedule.kubedbt.io/shop-nightly"));
  EXPECT_THAT(all.out, HasSubstr("dbtrun.kubedbt.io/shop-ci-pr-42"));
  EXPECT_THAT(all.out, ::testing::Not(HasSubstr("secret")));

  CommandResult shorts =
      TestCluster::get().kubectl({"-n", ns.name(), "get", "dbtp,dbts,dbtr", "-o", "name"});
  ASSERT_EQ(shorts.exit_code, 0) << shorts.err;
  EXPECT_EQ(shorts.out,
            "dbtproject.kubedbt.io/shop\ndbtschedule.kubedbt.io/shop-nightly\n"
            "dbtrun.kubedbt.io/shop-ci-pr-42\n");
}

}  // namespace
}  // namespace kubedbt::testing
