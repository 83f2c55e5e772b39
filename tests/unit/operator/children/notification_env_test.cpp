// Notification env: the variables each channel's Secret keys become, and their names in the run
// spec.
#include "operator/children/notification_env.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

TEST(NotificationEnv, EmailNamesEverySmtpKeyAndRequiresOnlyHostPortAndFrom) {
  auto email = testing::project_with_notifications().spec.notifications[1];
  EXPECT_EQ(
      notification_secret_env(email, 1),
      (std::vector<SecretEnv>{{"KUBEDBT_NOTIFY_1_SMTP_HOST", "smtp-creds", "host", false},
                              {"KUBEDBT_NOTIFY_1_SMTP_PORT", "smtp-creds", "port", false},
                              {"KUBEDBT_NOTIFY_1_SMTP_FROM", "smtp-creds", "from", false},
                              {"KUBEDBT_NOTIFY_1_SMTP_USERNAME", "smtp-creds", "username", true},
                              {"KUBEDBT_NOTIFY_1_SMTP_PASSWORD", "smtp-creds", "password", true},
                              {"KUBEDBT_NOTIFY_1_SMTP_TLS", "smtp-creds", "tls", true}}));
}

TEST(NotificationEnv, WebhookWithoutHmacHasOnlyItsUrl) {
  auto webhook = testing::project_with_notifications().spec.notifications[2];
  webhook.webhook->hmac_secret_ref.reset();
  EXPECT_EQ(notification_secret_env(webhook, 4),
            (std::vector<SecretEnv>{{"KUBEDBT_NOTIFY_4_URL", "hook-secret", "url"}}));
  EXPECT_EQ(notification_run_spec(webhook, 4)["webhook"],
            nlohmann::json({{"urlEnv", "KUBEDBT_NOTIFY_4_URL"}}));
}

}  // namespace
}  // namespace kubedbt::op
