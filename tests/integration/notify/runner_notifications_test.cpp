// Notifications end to end: kubedbt-runner builds examples/shop with real dbt against the test
// PostgreSQL, then alerts receivers on loopback. Receivers that are down leave the run's outcome
// alone, and no secret reaches the runner's output or its status.
#include <gtest/gtest.h>

#include "notify/hmac.h"
#include "tests/integration/notify/http_receiver.h"
#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;

const std::string kHmacKey = "e2e-hmac-key-0f9a8b7c";
const std::string kSmtpPassword = "e2e-smtp-password-5d4c3b";
const std::string kSlackToken = "slack-token-XoXb1234secret";

class RunnerNotificationsTest : public ::testing::Test {
 protected:
  TestDatabase db{"notify"};
  TempDir dir{"kubedbt-notify-test"};
  std::filesystem::path project = dir.path() / "shop";

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
  }
};

TEST_F(RunnerNotificationsTest,
       AFailingDataTestSendsOneSignedWebhookAndDownReceiversChangeNothing) {
  write_file(project / "tests/assert_no_completed_orders.sql",
             "select order_id from {{ ref('fct_orders') }} where status = 'completed'\n");
  HttpReceiver webhook;
  int down = closed_loopback_port();
  std::string webhook_url = webhook.url("/hooks/e2e-webhook-path-secret");
  std::string slack_url =
      "http://127.0.0.1:" + std::to_string(down) + "/services/T000/B000/" + kSlackToken;
  auto spec = dev_spec(db, project);
  spec["notifications"] = json::array(
      {{{"events", {"failure", "testFailure"}},
        {"webhook", {{"urlEnv", "KUBEDBT_NOTIFY_0_URL"}, {"hmacEnv", "KUBEDBT_NOTIFY_0_HMAC"}}}},
       {{"events", {"failure"}}, {"slack", {{"urlEnv", "KUBEDBT_NOTIFY_1_URL"}}}},
       {{"events", {"testFailure"}},
        {"email", {{"smtpEnvPrefix", "KUBEDBT_NOTIFY_2_SMTP_"}, {"to", {"oncall@example.com"}}}}}});
  RunnerOptions options;
  options.env = {{"KUBEDBT_NOTIFY_0_URL", webhook_url},
                 {"KUBEDBT_NOTIFY_0_HMAC", kHmacKey},
                 {"KUBEDBT_NOTIFY_1_URL", slack_url},
                 {"KUBEDBT_NOTIFY_2_SMTP_HOST", "127.0.0.1"},
                 {"KUBEDBT_NOTIFY_2_SMTP_PORT", std::to_string(down)},
                 {"KUBEDBT_NOTIFY_2_SMTP_USERNAME", "kubedbt-bot"},
                 {"KUBEDBT_NOTIFY_2_SMTP_PASSWORD", kSmtpPassword},
                 {"KUBEDBT_NOTIFY_2_SMTP_FROM", "alerts@example.com"}};
  auto r = run_runner(spec, dir.path(), options);

  // The run's outcome is the one it has without notifications.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_EQ(r.status["summary"]["tests"]["fail"], 1);
  // Each destination's delivery is reported after the final status, which it leaves as it was.
  const auto& deliveries = r.status["notifications"];
  ASSERT_EQ(deliveries.size(), 3u) << r.status.dump(2);
  EXPECT_EQ(deliveries[0]["kind"], "webhook");
  EXPECT_EQ(deliveries[0]["delivered"], true);
  EXPECT_EQ(deliveries[0]["events"], json({"failure", "testFailure"}));
  EXPECT_EQ(deliveries[1]["kind"], "slack");
  EXPECT_EQ(deliveries[1]["delivered"], false);
  EXPECT_GE(deliveries[1]["attempts"].get<int>(), 1);
  EXPECT_FALSE(deliveries[1].value("message", "").empty()) << deliveries[1].dump();
  EXPECT_EQ(deliveries[2]["kind"], "email");
  EXPECT_EQ(deliveries[2]["delivered"], false);
  EXPECT_EQ(deliveries[2]["events"], json({"testFailure"}));

  auto requests = webhook.requests();
  ASSERT_EQ(requests.size(), 1u) << r.err;
  const auto& call = requests[0];
  EXPECT_EQ(call.path, "/hooks/e2e-webhook-path-secret");
  EXPECT_EQ(call.headers.at("x-kubedbt-signature"),
            notify::webhook_signature(kHmacKey, call.headers.at("x-kubedbt-timestamp"), call.body));
  auto body = json::parse(call.body);
  EXPECT_EQ(body["events"], json({"failure", "testFailure"}));
  EXPECT_EQ(body["project"], "shop");
  EXPECT_EQ(body["target"], "dev");
  EXPECT_EQ(body["phase"], "Failed");
  EXPECT_EQ(body["summary"]["tests"]["fail"], 1);
  bool names_the_test = false;
  for (const auto& f : body["failures"]) {
    names_the_test = names_the_test || f["name"] == "assert_no_completed_orders";
  }
  EXPECT_TRUE(names_the_test) << body.dump(2);
  EXPECT_NE(body["text"].get<std::string>().find("assert_no_completed_orders"), std::string::npos);

  // Each destination is logged by index and kind: sent, or not delivered.
  std::string output = r.out + r.err;
  EXPECT_NE(output.find("\"destination\":\"notifications[0]\""), std::string::npos) << output;
  EXPECT_NE(output.find("\"msg\":\"notification sent\""), std::string::npos);
  for (const char* down_one : {"notifications[1]", "notifications[2]"}) {
    auto at = output.find(std::string("\"destination\":\"") + down_one + "\"");
    ASSERT_NE(at, std::string::npos) << down_one << "\n" << output;
    auto line = output.substr(output.rfind('\n', at) + 1);
    line = line.substr(0, line.find('\n'));
    EXPECT_NE(line.find("notification not delivered"), std::string::npos) << line;
  }
  // No secret in the runner's output (logs included) or in its status.
  std::string status = r.status.dump();
  for (const std::string& secret : {webhook_url, std::string("e2e-webhook-path-secret"), kHmacKey,
                                    slack_url, kSlackToken, kSmtpPassword}) {
    EXPECT_EQ(output.find(secret), std::string::npos) << secret;
    EXPECT_EQ(status.find(secret), std::string::npos) << secret;
  }
}

TEST_F(RunnerNotificationsTest, ASuccessfulRunAlertsOnlyTheDestinationsThatAskForSuccess) {
  HttpReceiver on_success;
  HttpReceiver on_failure;
  auto spec = dev_spec(db, project);
  spec["notifications"] = json::array(
      {{{"events", {"success"}}, {"webhook", {{"urlEnv", "KUBEDBT_NOTIFY_0_URL"}}}},
       {{"webhook", {{"urlEnv", "KUBEDBT_NOTIFY_1_URL"}}}}});  // events default to failure
  RunnerOptions options;
  options.env = {{"KUBEDBT_NOTIFY_0_URL", on_success.url()},
                 {"KUBEDBT_NOTIFY_1_URL", on_failure.url()}};
  auto r = run_runner(spec, dir.path(), options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(on_success.requests().size(), 1u) << r.err;
  auto body = json::parse(on_success.requests()[0].body);
  EXPECT_EQ(body["events"], json({"success"}));
  EXPECT_EQ(body["phase"], "Succeeded");
  EXPECT_TRUE(body["failures"].empty());
  EXPECT_FALSE(on_success.requests()[0].headers.count("x-kubedbt-signature"));
  EXPECT_TRUE(on_failure.requests().empty());
}

}  // namespace
}  // namespace kubedbt::testing
