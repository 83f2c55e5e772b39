// DbtProject reconciler: readiness from the spec and its Secrets, the status it converges to, and
// reconcile_project's decisions with the exact API calls it makes.
#include "operator/project/project_reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/core/kinds.h"
#include "operator/core/protected_target_guard.h"
#include "tests/unit/operator/fixtures.h"
#include "tests/unit/operator/reconcile_harness.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kNow;
using testing::kNowText;
using ::testing::Not;

TEST(ProjectEvaluation, ReadyWhenValidAndEverySecretIsThere) {
  auto e = evaluate_project(testing::sample_project(), [](const std::string&, const std::string&) {
    return SecretCheck::Present;
  });
  EXPECT_EQ(e.reason, "SpecValid");
  EXPECT_EQ(e.status, api::ConditionStatus::True);
  EXPECT_EQ(e.observed_generation, 3);
}

TEST(ProjectEvaluation, MissingSecretNamesItAndTheField) {
  auto e =
      evaluate_project(testing::sample_project(), [](const std::string& name, const std::string&) {
        return name == "pg-prod" ? SecretCheck::SecretNotFound : SecretCheck::Present;
      });
  EXPECT_EQ(e.status, api::ConditionStatus::False);
  EXPECT_EQ(e.reason, "SecretNotFound");
  EXPECT_NE(e.message.find("pg-prod"), std::string::npos);
  EXPECT_NE(e.message.find("spec.targets.prod.passwordSecretRef"), std::string::npos);
}

TEST(ProjectEvaluation, MissingKeyIsItsOwnReason) {
  auto e = evaluate_project(testing::sample_project(), [](const std::string& name,
                                                          const std::string& key) {
    return name == "pg-dev" && key == "password" ? SecretCheck::KeyNotFound : SecretCheck::Present;
  });
  EXPECT_EQ(e.reason, "SecretKeyNotFound");
  EXPECT_NE(e.message.find("password"), std::string::npos);
}

// Over ssh the runner checks the server strictly against the Secret's ssh-known-hosts key: a
// Secret without it is a project that is not Ready, named, not a run that fails later.
TEST(ProjectEvaluation, AnSshSourceNeedsItsKnownHostsKey) {
  auto project = testing::sample_project();
  project.spec.source.git->url = "git@github.com:acme/shop.git";
  auto e = evaluate_project(project, [](const std::string& name, const std::string& key) {
    return name == "git-cred" && key == "ssh-known-hosts" ? SecretCheck::KeyNotFound
                                                          : SecretCheck::Present;
  });
  EXPECT_EQ(e.reason, "SecretKeyNotFound");
  EXPECT_THAT(e.message, HasSubstr("ssh-known-hosts"));
  EXPECT_THAT(e.message, HasSubstr("spec.source.git.secretRef"));
}

TEST(ProjectEvaluation, InvalidSpecWinsAndChecksNoSecret) {
  auto project = testing::sample_project();
  project.spec.targets.at("dev").port = 0;
  int lookups = 0;
  auto e = evaluate_project(project, [&](const std::string&, const std::string&) {
    ++lookups;
    return SecretCheck::Present;
  });
  EXPECT_EQ(e.reason, "InvalidSpec");
  EXPECT_EQ(lookups, 0);
}

TEST(ProjectStatus, UnchangedEvaluationMeansNoChange) {
  auto project = testing::sample_project();
  auto e = evaluate_project(
      project, [](const std::string&, const std::string&) { return SecretCheck::Present; });
  project.status = desired_project_status(project, e, kNow);
  EXPECT_EQ(desired_project_status(project, e, kNow + std::chrono::hours(1)), project.status)
      << "a second reconcile must not write";
}

// The password of Secret pg-dev, as its data holds it (base64 of "hunter2").
const std::string kPassword = "aHVudGVyMg==";

class ProjectReconcile : public ::testing::Test {
 protected:
  ProjectReconcile() {
    h.cache.put(kDbtProjects, testing::sample_project_json());
    h.client.serve(kube::resources::kSecrets, secret("pg-dev", {{"password", kPassword}}));
  }

  ReconcileResult reconcile() { return reconcile_project(h.context(), "analytics", "shop"); }

  // Secret `name` as the metadata-only informer caches it: no data.
  void cache_secret(const std::string& name) {
    h.cache.put(kube::resources::kSecrets, secret(name, nullptr));
  }

  static Json secret(const std::string& name, Json data) {
    Json object = {{"metadata", {{"name", name}, {"namespace", "analytics"}}}};
    if (!data.is_null()) object["data"] = std::move(data);
    return object;
  }

  void serve_policy(const std::string& map) {
    h.client.serve(
        kValidatingAdmissionPolicies,
        {{"metadata", {{"name", "kubedbt-protected-targets"}}},
         {"spec",
          {{"variables", Json::array({{{"name", "protectedTargets"}, {"expression", map}}})}}}});
  }

  testing::ReconcileHarness h;
};

TEST_F(ProjectReconcile, MissingSecretIsSecretNotFoundAndNoSecretValueReachesAnyCall) {
  cache_secret("pg-dev");
  cache_secret("git-cred");
  reconcile();
  ASSERT_THAT(h.client.lines(),
              ElementsAre("get secrets analytics/pg-dev",
                          "get validatingadmissionpolicies /kubedbt-protected-targets",
                          "merge_patch dbtprojects/status analytics/shop",
                          "create events analytics/shop."));
  const auto& ready = h.client.calls()[2].body["status"]["conditions"][0];
  EXPECT_EQ(ready["type"], "Ready");
  EXPECT_EQ(ready["status"], "False");
  EXPECT_EQ(ready["reason"], "SecretNotFound");
  EXPECT_EQ(ready["lastTransitionTime"], kNowText);
  EXPECT_THAT(ready["message"].get<std::string>(), HasSubstr("pg-prod"));
  EXPECT_EQ(h.client.calls()[3].body["reason"], "SecretNotFound");
  for (const auto& call : h.client.calls()) {
    EXPECT_THAT(call.body.dump() + call.options.dump(), Not(HasSubstr(kPassword))) << call.line();
  }
}

TEST_F(ProjectReconcile, ReadyProjectIsWrittenOnceAndAtRestOnlyReadsItsKeys) {
  for (const char* name : {"pg-dev", "pg-prod", "git-cred"}) cache_secret(name);
  h.client.serve(kube::resources::kSecrets, secret("pg-prod", {{"password", kPassword}}));
  serve_policy(R"({"analytics": {"shop.prod": ["dbt-prod-deployers"]}})");
  auto result = reconcile();
  EXPECT_FALSE(result.requeue_after);
  const std::string policy_read = "get validatingadmissionpolicies /kubedbt-protected-targets";
  ASSERT_THAT(h.client.lines(),
              ElementsAre("get secrets analytics/pg-dev", "get secrets analytics/pg-prod",
                          policy_read, "merge_patch dbtprojects/status analytics/shop",
                          "create events analytics/shop."));
  const auto& conditions = h.client.calls()[3].body["status"]["conditions"];
  EXPECT_EQ(conditions[0]["reason"], "SpecValid");
  EXPECT_EQ(conditions[1]["type"], "ProtectedTargetsGuarded");
  EXPECT_EQ(conditions[1]["status"], "True");
  auto at_rest = testing::sample_project_json();
  at_rest["status"] = h.client.calls()[3].body["status"];
  h.cache.put(kDbtProjects, at_rest);
  reconcile();
  auto lines = h.client.lines();
  EXPECT_THAT(
      std::vector(lines.begin() + 5, lines.end()),
      ElementsAre("get secrets analytics/pg-dev", "get secrets analytics/pg-prod", policy_read));
}

// A protected target the admission policy does not list: the project says so, naming the chart
// value, and looks again later (the policy is not watched).
TEST_F(ProjectReconcile, AnUnguardedProtectedTargetIsAConditionNamingTheChartValue) {
  for (const char* name : {"pg-dev", "pg-prod", "git-cred"}) cache_secret(name);
  h.client.serve(kube::resources::kSecrets, secret("pg-prod", {{"password", kPassword}}));
  serve_policy(R"({"analytics": {"shop.dev": ["devs"]}})");
  auto result = reconcile();
  EXPECT_EQ(result.requeue_after, std::chrono::milliseconds(kUnguardedRecheck));
  Json guarded;
  for (const auto& call : h.client.calls()) {
    if (call.line() != "merge_patch dbtprojects/status analytics/shop") continue;
    for (const auto& c : call.body["status"]["conditions"]) {
      if (c["type"] == "ProtectedTargetsGuarded") guarded = c;
    }
  }
  ASSERT_TRUE(guarded.is_object());
  EXPECT_EQ(guarded["status"], "False");
  EXPECT_EQ(guarded["reason"], "ProtectedTargetUnguarded");
  EXPECT_THAT(guarded["message"].get<std::string>(),
              HasSubstr("protectedTargets.analytics.shop\\.prod"));
}

}  // namespace
}  // namespace kubedbt::op
