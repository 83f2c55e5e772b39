// The webhook body's documented schema and the signature headers.
#include "notify/webhook.h"

#include <gtest/gtest.h>

#include "notify/hmac.h"

namespace kubedbt::notify {
namespace {

RunOutcome outcome() {
  RunOutcome o;
  o.project = "shop";
  o.target = "prod";
  o.run_namespace = "data";
  o.run_name = "nightly-1";
  o.phase = "Failed";
  o.message = "1 data test failed";
  o.counts.tests = {10, 1, 0, 0};
  o.counts.models = {4, 0, 1};
  o.failures.push_back({"test.shop.t.1", "t", "Got 3 results"});
  o.anomalies.push_back({"Duration", "", "3x the median"});
  return o;
}

TEST(NotifyWebhook, BodyFollowsTheDocumentedSchema) {
  auto o = outcome();
  std::vector<Event> events = {Event::Failure, Event::TestFailure};
  auto body = webhook_payload(o, events, compose_message(o, events));
  EXPECT_EQ(body["schema"], "kubedbt.io/notification/v1");
  EXPECT_EQ(body["events"], nlohmann::json({"failure", "testFailure"}));
  EXPECT_EQ(body["project"], "shop");
  EXPECT_EQ(body["target"], "prod");
  EXPECT_EQ(body["run"], nlohmann::json({{"namespace", "data"}, {"name", "nightly-1"}}));
  EXPECT_EQ(body["phase"], "Failed");
  EXPECT_EQ(body["message"], "1 data test failed");
  EXPECT_EQ(body["summary"]["tests"]["fail"], 1);
  EXPECT_EQ(body["summary"]["models"]["skipped"], 1);
  EXPECT_EQ(body["summary"]["rowsAffected"], 0);
  EXPECT_EQ(
      body["failures"][0],
      nlohmann::json({{"node", "test.shop.t.1"}, {"name", "t"}, {"message", "Got 3 results"}}));
  EXPECT_EQ(body["failuresOmitted"], 0);
  EXPECT_EQ(body["anomalies"][0]["kind"], "Duration");
  EXPECT_EQ(body["describeCommand"], "kubectl describe dbtrun -n data nightly-1");
  EXPECT_TRUE(body["title"].is_string());
  EXPECT_TRUE(body["text"].is_string());
}

TEST(NotifyWebhook, LocalRunsHaveANullRun) {
  auto o = outcome();
  o.run_name.clear();
  o.run_namespace.clear();
  auto body = webhook_payload(o, {Event::Failure}, compose_message(o, {Event::Failure}));
  EXPECT_TRUE(body["run"].is_null());
  EXPECT_EQ(body["describeCommand"], "");
}

TEST(NotifyWebhook, SignsOnlyWithAKey) {
  auto signed_headers = webhook_headers("{}", "k3y", "id1", "1700000000");
  EXPECT_EQ(signed_headers,
            (std::vector<std::string>{
                "X-Kubedbt-Delivery: id1", "X-Kubedbt-Timestamp: 1700000000",
                "X-Kubedbt-Signature: " + webhook_signature("k3y", "1700000000", "{}")}));
  EXPECT_EQ(webhook_headers("{}", "", "id1", "1700000000").size(), 2u);
}

}  // namespace
}  // namespace kubedbt::notify
