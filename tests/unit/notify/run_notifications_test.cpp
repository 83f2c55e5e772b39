// The runner's side of notifications: the run spec and the final status as notify/ sees them.
#include "runner/alerts/run_notifications.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

RunSpec spec_with_notifications() {
  return parse_run_spec(nlohmann::json{
      {"run", {{"namespace", "data"}, {"name", "nightly-1"}, {"jobName", "nightly-1"}}},
      {"project", "shop"},
      {"profile", "shop"},
      {"source", {{"path", "/p"}}},
      {"target",
       {{"name", "prod"},
        {"host", "db"},
        {"user", "u"},
        {"dbname", "d"},
        {"schema", "s"},
        {"passwordEnv", "DBT_ENV_SECRET_PG"}}},
      {"notifications",
       {{{"events", {"testFailure", "anomaly"}},
         {"webhook", {{"urlEnv", "KUBEDBT_NOTIFY_0_URL"}, {"hmacEnv", "KUBEDBT_NOTIFY_0_HMAC"}}}},
        {{"slack", {{"urlEnv", "KUBEDBT_NOTIFY_1_URL"}, {"channel", "#x"}}}},
        {{"events", {"success"}},
         {"email", {{"smtpEnvPrefix", "KUBEDBT_NOTIFY_2_SMTP_"}, {"to", {"a@example.com"}}}}}}}});
}

TEST(RunNotifications, DestinationsKeepEventsChannelsAndEnvNames) {
  auto d = notification_destinations(spec_with_notifications());
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].events,
            (std::vector<notify::Event>{notify::Event::TestFailure, notify::Event::Anomaly}));
  auto& webhook = std::get<notify::WebhookDestination>(d[0].channel);
  EXPECT_EQ(webhook.url_env, "KUBEDBT_NOTIFY_0_URL");
  EXPECT_EQ(webhook.hmac_env, "KUBEDBT_NOTIFY_0_HMAC");
  EXPECT_EQ(d[1].events, std::vector<notify::Event>{notify::Event::Failure});  // the default
  EXPECT_EQ(std::get<notify::SlackDestination>(d[1].channel).channel, "#x");
  EXPECT_EQ(notify::kind_of(d[2]), std::string("email"));
  EXPECT_EQ(std::get<notify::EmailDestination>(d[2].channel).to,
            std::vector<std::string>{"a@example.com"});
}

TEST(RunNotifications, OutcomeCarriesRunCountsFailuresAndAnomalies) {
  RunStatus status;
  status.phase = Phase::Failed;
  status.message = "1 data test failed: assert_x";
  status.summary.tests.fail = 1;
  status.summary.freshness.warn = 2;
  status.summary.failures.push_back({"test.shop.assert_x", "Got 3 results"});
  status.anomalies.push_back({Anomaly::Kind::RowCount, "model.shop.m", "0 rows"});
  auto o = notification_outcome(spec_with_notifications(), status);
  EXPECT_EQ(o.project, "shop");
  EXPECT_EQ(o.target, "prod");
  EXPECT_EQ(o.run_namespace, "data");
  EXPECT_EQ(o.run_name, "nightly-1");
  EXPECT_EQ(o.phase, "Failed");
  EXPECT_EQ(o.counts.tests.fail, 1);
  EXPECT_EQ(o.counts.freshness.warn, 2);
  ASSERT_EQ(o.failures.size(), 1u);
  EXPECT_EQ(o.failures[0].name, "assert_x");
  EXPECT_EQ(o.anomalies[0].kind, "RowCount");
  EXPECT_EQ(notify::events_of(o),
            (std::vector<notify::Event>{notify::Event::Failure, notify::Event::TestFailure,
                                        notify::Event::FreshnessWarn, notify::Event::Anomaly}));
}

TEST(RunNotifications, AMissingSecretIsReportedByNameAndNeverThrows) {
  RunStatus status;
  status.phase = Phase::Failed;
  status.summary.tests.fail = 1;
  auto reports = send_notifications(spec_with_notifications(), status, {});
  ASSERT_EQ(reports.size(), 2u);  // the e-mail destination wants only success
  EXPECT_FALSE(reports[0].delivered);
  EXPECT_EQ(reports[0].attempts, 0);
  EXPECT_EQ(reports[0].detail,
            "environment variable KUBEDBT_NOTIFY_0_URL is not set (the webhook URL from its "
            "Secret)");
  EXPECT_EQ(reports[1].kind, "slack");
}

}  // namespace
}  // namespace kubedbt::runner
