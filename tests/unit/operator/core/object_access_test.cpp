// Object accessors: labels, owners, the pods of a Job, Job conditions and deletes in background.
#include "operator/core/object_access.h"

#include <gtest/gtest.h>

#include "kube/errors.h"
#include "tests/unit/operator/map_object_cache.h"
#include "tests/unit/operator/recording_client.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

TEST(ObjectAccess, LabelOfIsAStringLabelOrEmpty) {
  Json object = {{"metadata", {{"labels", {{"team", "data"}, {"count", 2}}}}}};
  EXPECT_EQ(label_of(object, "team"), "data");
  EXPECT_EQ(label_of(object, "count"), "") << "not a string";
  EXPECT_EQ(label_of(object, "missing"), "");
  EXPECT_EQ(label_of(Json{{"metadata", {{"labels", nullptr}}}}, "team"), "");
  EXPECT_EQ(label_of(Json::object(), "team"), "");
}

TEST(ObjectAccess, ControllerOfKindIsOnlyTheControllerReferenceOfThatKind) {
  Json object = {
      {"metadata",
       {{"ownerReferences",
         Json::array(
             {{{"kind", "Job"}, {"name", "plain-owner"}, {"uid", "u1"}},
              {{"kind", "CronJob"}, {"name", "nightly"}, {"uid", "u2"}, {"controller", true}}})}}}};
  EXPECT_EQ(controller_of_kind(object, "Job"), nullptr) << "an owner, but not the controller";
  const Json* cron = controller_of_kind(object, "CronJob");
  ASSERT_NE(cron, nullptr);
  EXPECT_EQ(cron, &object["metadata"]["ownerReferences"][1]) << "points into the object";
  EXPECT_EQ(controller_of_kind(Json::object(), "CronJob"), nullptr);
  EXPECT_TRUE(is_owned_by(object, "u1"));
  EXPECT_FALSE(is_owned_by(object, "u3"));
}

TEST(ObjectAccess, PodsOfAJobAreTheCachedPodsOfItsNamespaceWithItsJobNameLabel) {
  testing::MapObjectCache cache;
  auto pod = [](const std::string& name, const std::string& ns, const std::string& job) {
    return Json{
        {"metadata",
         {{"name", name}, {"namespace", ns}, {"labels", {{"batch.kubernetes.io/job-name", job}}}}}};
  };
  cache.put(kube::resources::kPods, pod("a-1", "analytics", "a"));
  cache.put(kube::resources::kPods, pod("b-1", "analytics", "b"));
  cache.put(kube::resources::kPods, pod("a-1", "sales", "a"));
  auto pods = pods_of_job(cache, "analytics", "a");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0], pod("a-1", "analytics", "a"));
}

TEST(ObjectAccess, TrueConditionSkipsConditionsThatAreNotTrue) {
  Json job = {{"status",
               {{"conditions", Json::array({{{"type", "Failed"}, {"status", "False"}},
                                            {{"type", "Complete"}, {"status", "True"}}})}}}};
  EXPECT_EQ(true_condition(job, "Failed"), nullptr);
  EXPECT_EQ(true_condition(job, "Complete"), &job["status"]["conditions"][1]);
  EXPECT_EQ(true_condition(Json{{"status", "odd"}}, "Complete"), nullptr);
}

TEST(ObjectAccess, DeleteInBackgroundToleratesAnObjectAlreadyGoneOnly) {
  testing::RecordingClient client;
  EXPECT_TRUE(delete_in_background(client, kube::resources::kJobs, "analytics", "j"));
  EXPECT_EQ(client.calls()[0].line(), "remove jobs analytics/j");
  EXPECT_EQ(client.calls()[0].options, Json({{"propagationPolicy", "Background"}}));
  client.fail("remove", "jobs", testing::not_found_status());
  EXPECT_FALSE(delete_in_background(client, kube::resources::kJobs, "analytics", "j"));
  client.fail("remove", "jobs", testing::conflict_status());
  EXPECT_THROW(delete_in_background(client, kube::resources::kJobs, "analytics", "j"),
               kube::Conflict);
}

}  // namespace
}  // namespace kubedbt::op
