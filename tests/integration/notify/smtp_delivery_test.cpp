// E-mail to an SMTP server on loopback: STARTTLS and AUTH, implicit TLS, retries on 4xx, and the
// failures that must not be retried or must not leak the password.
#include <gtest/gtest.h>

#include "notify/dispatcher.h"
#include "tests/integration/notify/smtp_receiver.h"

namespace kubedbt::testing {
namespace {

using namespace std::chrono_literals;
using notify::Event;

const std::string kPrefix = "KUBEDBT_NOTIFY_0_SMTP_";
const std::string kPassword = "smtp-pa55word-secret";

class NotifySmtpDelivery : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kubedbt-smtp-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  notify::Environment env_for(const SmtpReceiver& receiver, const std::string& tls = "") {
    notify::Environment env = {{kPrefix + "HOST", "127.0.0.1"},
                               {kPrefix + "PORT", std::to_string(receiver.port())},
                               {kPrefix + "USERNAME", "kubedbt-bot"},
                               {kPrefix + "PASSWORD", kPassword},
                               {kPrefix + "FROM", "kubedbt <alerts@example.com>"},
                               {kPrefix + "CA_FILE", receiver.certificate().string()}};
    if (!tls.empty()) env[kPrefix + "TLS"] = tls;
    return env;
  }

  static notify::RunOutcome outcome() {
    notify::RunOutcome o;
    o.project = "shop";
    o.target = "prod";
    o.run_namespace = "data";
    o.run_name = "nightly-29000000";
    o.phase = "Failed";
    o.counts.tests.fail = 1;
    o.failures.push_back(
        {"test.shop.assert_no_completed_orders", "assert_no_completed_orders", "Got 3 results"});
    return o;
  }

  static notify::Destination email() {
    return {
        {Event::Failure, Event::TestFailure},
        notify::EmailDestination{kPrefix, {"oncall@example.com", "Data Team <data@example.com>"}}};
  }

  static notify::DispatchOptions fast() {
    notify::DispatchOptions o;
    o.policy.first_backoff = 50ms;
    o.policy.max_attempts = 3;
    return o;
  }

  std::filesystem::path dir;
};

TEST_F(NotifySmtpDelivery, StartTlsAndAuthDeliverTheMessage) {
  SmtpReceiver receiver({.username = "kubedbt-bot", .password = kPassword}, dir);
  auto reports = notify::dispatch({email()}, outcome(), env_for(receiver), fast());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].delivered) << reports[0].detail;
  EXPECT_EQ(reports[0].kind, "email");
  auto mails = receiver.mails();
  ASSERT_EQ(mails.size(), 1u);
  const auto& m = mails[0];
  EXPECT_TRUE(m.over_tls);
  EXPECT_EQ(m.auth_user, "kubedbt-bot");
  EXPECT_EQ(m.mail_from, "alerts@example.com");
  EXPECT_EQ(m.recipients, (std::vector<std::string>{"oncall@example.com", "data@example.com"}));
  EXPECT_NE(m.data.find("Subject: [kubedbt] shop/prod: run data/nightly-29000000 failed (failure, "
                        "testFailure)\r\n"),
            std::string::npos)
      << m.data;
  EXPECT_NE(m.data.find("To: oncall@example.com, Data Team <data@example.com>\r\n"),
            std::string::npos);
  EXPECT_NE(m.data.find("From: kubedbt <alerts@example.com>\r\n"), std::string::npos);
  EXPECT_EQ(m.data.rfind("Date: ", 0), 0u) << m.data;
  EXPECT_NE(m.data.find("\r\nMessage-ID: <"), std::string::npos);
  EXPECT_NE(m.data.find("Project shop, target prod, DbtRun data/nightly-29000000: Failed."),
            std::string::npos);
  EXPECT_NE(m.data.find("assert_no_completed_orders"), std::string::npos);
  EXPECT_NE(m.data.find("Look closer: kubectl describe dbtrun -n data nightly-29000000"),
            std::string::npos);
  EXPECT_EQ(m.data.find(kPassword), std::string::npos);
}

TEST_F(NotifySmtpDelivery, ImplicitTlsDelivers) {
  SmtpReceiver receiver(
      {.tls = SmtpReceiverOptions::Tls::Implicit, .username = "kubedbt-bot", .password = kPassword},
      dir);
  auto reports = notify::dispatch({email()}, outcome(), env_for(receiver, "tls"), fast());
  EXPECT_TRUE(reports.at(0).delivered) << reports[0].detail;
  ASSERT_EQ(receiver.mails().size(), 1u);
  EXPECT_TRUE(receiver.mails()[0].over_tls);
  EXPECT_EQ(receiver.mails()[0].auth_user, "kubedbt-bot");
}

TEST_F(NotifySmtpDelivery, ATransient451IsRetried) {
  SmtpReceiver receiver({.username = "kubedbt-bot", .password = kPassword, .transient_failures = 1},
                        dir);
  auto reports = notify::dispatch({email()}, outcome(), env_for(receiver), fast());
  EXPECT_TRUE(reports.at(0).delivered) << reports[0].detail;
  EXPECT_EQ(reports[0].attempts, 2);
  EXPECT_EQ(receiver.mails().size(), 1u);
}

TEST_F(NotifySmtpDelivery, AWrongPasswordIsNotRetriedAndNotReported) {
  SmtpReceiver receiver({.username = "kubedbt-bot", .password = "the-right-one"}, dir);
  auto reports = notify::dispatch({email()}, outcome(), env_for(receiver), fast());
  EXPECT_FALSE(reports.at(0).delivered);
  EXPECT_EQ(reports[0].attempts, 1);
  EXPECT_EQ(receiver.failed_logins(), 1);
  EXPECT_TRUE(receiver.mails().empty());
  EXPECT_NE(reports[0].detail.find("SMTP 535"), std::string::npos) << reports[0].detail;
  EXPECT_EQ(reports[0].detail.find(kPassword), std::string::npos);
}

TEST_F(NotifySmtpDelivery, AServerWithoutStartTlsNeverSeesThePassword) {
  SmtpReceiver receiver({.offer_starttls = false, .username = "kubedbt-bot", .password = kPassword},
                        dir);
  auto reports = notify::dispatch({email()}, outcome(), env_for(receiver), fast());
  EXPECT_FALSE(reports.at(0).delivered);
  EXPECT_EQ(reports[0].attempts, 1);
  EXPECT_EQ(receiver.failed_logins(), 0);
  EXPECT_TRUE(receiver.mails().empty());
}

TEST_F(NotifySmtpDelivery, AnUntrustedCertificateIsRefused) {
  SmtpReceiver receiver({.username = "kubedbt-bot", .password = kPassword}, dir);
  auto env = env_for(receiver);
  env.erase(kPrefix + "CA_FILE");  // the system's CAs do not know the test certificate
  auto reports = notify::dispatch({email()}, outcome(), env, fast());
  EXPECT_FALSE(reports.at(0).delivered);
  EXPECT_EQ(reports[0].attempts, 1) << reports[0].detail;
  EXPECT_TRUE(receiver.mails().empty());
  EXPECT_EQ(receiver.failed_logins(), 0);
}

}  // namespace
}  // namespace kubedbt::testing
