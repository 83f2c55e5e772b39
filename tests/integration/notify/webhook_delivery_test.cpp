// Webhook and Slack deliveries to a receiver on loopback: body, signature, retries, a receiver that
// is down, and the time budget.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "notify/dispatcher.h"
#include "notify/hmac.h"
#include "tests/integration/notify/http_receiver.h"

namespace kubedbt::testing {
namespace {

using namespace std::chrono_literals;
using notify::Event;

const std::string kHmacKey = "hmac-key-s3cr3t-value";

// A socket that listens on 127.0.0.1 and never accepts: a receiver that hangs.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 8) != 0) {
      throw std::runtime_error("SilentListener: cannot listen on 127.0.0.1");
    }
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

notify::RunOutcome failed_test_run() {
  notify::RunOutcome o;
  o.project = "shop";
  o.target = "prod";
  o.run_namespace = "data";
  o.run_name = "nightly-29000000";
  o.phase = "Failed";
  o.message = "1 data test failed: assert_no_completed_orders";
  o.counts.tests = {9, 1, 0, 0};
  o.failures.push_back({"test.shop.assert_no_completed_orders", "assert_no_completed_orders",
                        "Got 3 results, configured to fail if != 0"});
  o.anomalies.push_back({"RowCount", "model.shop.fct_orders", "0 rows, median 120"});
  return o;
}

notify::Destination webhook(std::vector<Event> events, bool signed_body = false) {
  return {std::move(events),
          notify::WebhookDestination{"HOOK_URL", signed_body ? "HOOK_HMAC" : ""}};
}

// Quick retries, so the suite does not sleep for seconds per test.
notify::DispatchOptions fast() {
  notify::DispatchOptions o;
  o.policy.first_backoff = 50ms;
  o.policy.max_backoff = 200ms;
  o.policy.max_attempts = 3;
  return o;
}

TEST(NotifyWebhookDelivery, OneSignedCallCarriesAllEventsOfTheDestination) {
  HttpReceiver receiver;
  notify::Environment env = {{"HOOK_URL", receiver.url("/hooks/abc123")}, {"HOOK_HMAC", kHmacKey}};
  auto reports = notify::dispatch(
      {webhook({Event::Failure, Event::TestFailure, Event::Anomaly, Event::Success}, true)},
      failed_test_run(), env, fast());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].delivered) << reports[0].detail;
  EXPECT_EQ(reports[0].attempts, 1);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/hooks/abc123");
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  // The receiver's check: HMAC-SHA256 of "<timestamp>.<body>" with the shared key.
  EXPECT_EQ(r.headers.at("x-kubedbt-signature"),
            "sha256=" + notify::hmac_sha256_hex(
                            kHmacKey, r.headers.at("x-kubedbt-timestamp") + "." + r.body));
  EXPECT_NE(r.headers.at("x-kubedbt-signature"),
            notify::webhook_signature("wrong key", r.headers.at("x-kubedbt-timestamp"), r.body));
  EXPECT_EQ(r.headers.at("x-kubedbt-delivery").size(), 32u);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["events"], nlohmann::json({"failure", "testFailure", "anomaly"}));
  EXPECT_EQ(body["project"], "shop");
  EXPECT_EQ(body["run"]["name"], "nightly-29000000");
  EXPECT_EQ(body["failures"][0]["name"], "assert_no_completed_orders");
  EXPECT_EQ(body["describeCommand"], "kubectl describe dbtrun -n data nightly-29000000");
}

TEST(NotifyWebhookDelivery, WithoutAKeyThereIsNoSignature) {
  HttpReceiver receiver;
  auto reports = notify::dispatch({webhook({Event::Failure})}, failed_test_run(),
                                  {{"HOOK_URL", receiver.url()}}, fast());
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_FALSE(receiver.requests()[0].headers.count("x-kubedbt-signature"));
  EXPECT_TRUE(receiver.requests()[0].headers.count("x-kubedbt-timestamp"));
}

TEST(NotifyWebhookDelivery, A500ThenA200IsRetriedWithTheSameDelivery) {
  HttpReceiver receiver(std::vector<ScriptedResponse>{{500, {}}});
  auto reports = notify::dispatch({webhook({Event::Failure}, true)}, failed_test_run(),
                                  {{"HOOK_URL", receiver.url()}, {"HOOK_HMAC", kHmacKey}}, fast());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].delivered);
  EXPECT_EQ(reports[0].attempts, 2);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[0].headers.at("x-kubedbt-delivery"),
            requests[1].headers.at("x-kubedbt-delivery"));
}

TEST(NotifyWebhookDelivery, A429WithRetryAfterIsRetriedAfterTheWait) {
  HttpReceiver receiver(std::vector<ScriptedResponse>{{429, {"Retry-After: 1"}}});
  auto reports = notify::dispatch({webhook({Event::Failure})}, failed_test_run(),
                                  {{"HOOK_URL", receiver.url()}}, fast());
  EXPECT_TRUE(reports.at(0).delivered);
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST(NotifyWebhookDelivery, ARetryAfterBeyondTheBudgetIsNotWaitedFor) {
  HttpReceiver receiver(std::vector<ScriptedResponse>{{503, {"Retry-After: 3600"}}});
  auto reports = notify::dispatch({webhook({Event::Failure})}, failed_test_run(),
                                  {{"HOOK_URL", receiver.url()}}, fast());
  EXPECT_FALSE(reports.at(0).delivered);
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_NE(reports[0].detail.find("retry after 3600 s, beyond the time budget"), std::string::npos)
      << reports[0].detail;
}

TEST(NotifyWebhookDelivery, A404IsNotRetried) {
  HttpReceiver receiver(std::vector<ScriptedResponse>{{404, {}}});
  auto reports = notify::dispatch({webhook({Event::Failure})}, failed_test_run(),
                                  {{"HOOK_URL", receiver.url()}}, fast());
  EXPECT_FALSE(reports.at(0).delivered);
  EXPECT_EQ(reports[0].attempts, 1);
  EXPECT_EQ(reports[0].detail, "HTTP 404");
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(NotifyWebhookDelivery, AReceiverThatIsDownIsReportedWithoutItsAddress) {
  std::string url;
  {
    HttpReceiver gone;
    url = gone.url("/hooks/secret-path");
  }  // nothing listens on its port any more
  auto reports =
      notify::dispatch({webhook({Event::Failure})}, failed_test_run(), {{"HOOK_URL", url}}, fast());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_FALSE(reports[0].delivered);
  EXPECT_EQ(reports[0].attempts, 3);
  EXPECT_NE(reports[0].detail.find("connection failed"), std::string::npos) << reports[0].detail;
  EXPECT_EQ(reports[0].detail.find("127.0.0.1"), std::string::npos) << reports[0].detail;
  EXPECT_EQ(reports[0].detail.find("secret-path"), std::string::npos) << reports[0].detail;
}

TEST(NotifyWebhookDelivery, TheRunBudgetBoundsAllDestinationsTogether) {
  SilentListener hanging;  // accepts connections into its backlog and never answers
  HttpReceiver second;
  auto options = fast();
  options.run_budget = 1s;  // the first destination's attempt times out at its end
  auto reports = notify::dispatch(
      {webhook({Event::Failure}), {{Event::Failure}, notify::WebhookDestination{"SECOND_URL", ""}}},
      failed_test_run(), {{"HOOK_URL", hanging.url()}, {"SECOND_URL", second.url()}}, options);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_FALSE(reports[0].delivered);
  EXPECT_EQ(reports[0].attempts, 1);
  EXPECT_NE(reports[0].detail.find("Timeout was reached"), std::string::npos) << reports[0].detail;
  EXPECT_FALSE(reports[1].delivered);
  EXPECT_EQ(reports[1].attempts, 0);
  EXPECT_NE(reports[1].detail.find("notification time budget of 1 s was spent"), std::string::npos)
      << reports[1].detail;
  EXPECT_TRUE(second.requests().empty());
}

TEST(NotifyWebhookDelivery, DestinationsWithoutTheirEventsAreSkipped) {
  HttpReceiver receiver;
  auto reports = notify::dispatch({webhook({Event::Success, Event::FreshnessWarn})},
                                  failed_test_run(), {{"HOOK_URL", receiver.url()}}, fast());
  EXPECT_TRUE(reports.empty());
  EXPECT_TRUE(receiver.requests().empty());
}

TEST(NotifySlackDelivery, PostsTheIncomingWebhookPayloadWithTheChannel) {
  HttpReceiver receiver;
  notify::Destination slack{{Event::TestFailure},
                            notify::SlackDestination{"SLACK_URL", "#data-alerts"}};
  auto reports = notify::dispatch({slack}, failed_test_run(),
                                  {{"SLACK_URL", receiver.url("/services/T0/B0/XYZ")}}, fast());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].delivered);
  EXPECT_EQ(reports[0].kind, "slack");
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/services/T0/B0/XYZ");
  auto body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body["channel"], "#data-alerts");
  auto text = body["text"].get<std::string>();
  EXPECT_NE(text.find("shop/prod: run data/nightly-29000000 failed (testFailure)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("assert_no_completed_orders"), std::string::npos);
  EXPECT_NE(text.find("kubectl describe dbtrun -n data nightly-29000000"), std::string::npos);
}

}  // namespace
}  // namespace kubedbt::testing
