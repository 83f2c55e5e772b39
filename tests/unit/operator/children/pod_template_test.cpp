// Pod template: the runner container's env from Secrets.
#include "operator/children/pod_template.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using testing::project_with_notifications;
using testing::sample_run;

TEST(PodTemplate, NotificationSecretsAreSecretKeyRefEnv) {
  auto pod = build_pod_template(project_with_notifications(), run_inputs(sample_run(), "dev"),
                                OperatorConfig{}, {});
  std::map<std::string, Json> refs;
  for (const auto& e : pod["spec"]["containers"][0]["env"]) {
    if (e.contains("valueFrom") && e["valueFrom"].contains("secretKeyRef")) {
      refs[e["name"]] = e["valueFrom"]["secretKeyRef"];
    }
  }
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_0_URL"], Json::parse(R"({"name": "slack-hook", "key": "url"})"));
  for (const char* key : {"HOST", "PORT", "FROM"}) {
    auto ref = refs[std::string("KUBEDBT_NOTIFY_1_SMTP_") + key];
    EXPECT_EQ(ref["name"], "smtp-creds");
    EXPECT_FALSE(ref.contains("optional")) << key << " is required";
  }
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_1_SMTP_USERNAME"],
            Json::parse(R"({"name": "smtp-creds", "key": "username", "optional": true})"));
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_1_SMTP_PASSWORD"]["optional"], true);
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_1_SMTP_TLS"]["key"], "tls");
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_2_URL"], Json::parse(R"({"name": "hook-secret", "key": "url"})"));
  EXPECT_EQ(refs["KUBEDBT_NOTIFY_2_HMAC"],
            Json::parse(R"({"name": "hook-secret", "key": "hmac"})"));
}

}  // namespace
}  // namespace kubedbt::op
