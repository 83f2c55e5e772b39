// Tests of DbtProject JSON: every field round trips, CRD defaults apply, unknown fields survive
// where Kubernetes keeps them, and type errors name the field.
#include "api/dbt_project.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubedbt::api {
namespace {

using ::testing::HasSubstr;

// A DbtProject with every field set, as the API server would return it.
Json full_project() {
  return Json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1",
    "kind": "DbtProject",
    "metadata": {
      "name": "analytics", "namespace": "data", "uid": "u-1", "resourceVersion": "42",
      "generation": 3, "labels": {"team": "data"}, "annotations": {"a": "b"},
      "creationTimestamp": "2026-01-01T00:00:00Z", "finalizers": ["kubedbt.io/cleanup"]
    },
    "spec": {
      "source": {"git": {"url": "https://git.example.com/analytics.git", "ref": "main",
                         "path": "dbt", "secretRef": {"name": "git-token"}}},
      "image": "ghcr.io/kubedbt/runner:0.1.0",
      "dbtVersion": "1.11",
      "profile": "analytics",
      "targets": {
        "dev": {"type": "postgres", "host": "pg-dev", "port": 5433, "user": "dev",
                "database": "analytics", "schema": "dev_analytics", "threads": 2,
                "sslmode": "disable", "protected": false,
                "extra": {"connect_timeout": 10, "search_path": "x", "nested": {"k": [1, 2]}},
                "env": [{"name": "DBT_ENV", "value": "dev"}]},
        "prod": {"type": "postgres", "host": "pg-prod", "port": 5432, "user": "dbt",
                 "database": "analytics", "schema": "analytics", "threads": 8,
                 "sslmode": "verify-full", "protected": true,
                 "passwordSecretRef": {"name": "warehouse", "key": "password"},
                 "env": [{"name": "PGOPTIONS",
                          "valueFrom": {"configMapKeyRef": {"name": "pg", "key": "opts"}}}]}
      },
      "defaultTarget": "dev",
      "state": {"schema": "kubedbt_state"},
      "ci": {"schemaPrefix": "pr_"},
      "anomalies": {"rowCountFactor": 5.5, "durationFactor": 2, "historyRuns": 30},
      "notifications": [
        {"events": ["failure", "testFailure"],
         "slack": {"webhookSecretRef": {"name": "slack", "key": "url"}, "channel": "#data"}},
        {"events": ["success", "freshnessWarn", "anomaly"],
         "email": {"smtpSecretRef": {"name": "smtp"}, "to": ["a@example.com", "b@example.com"]}},
        {"events": ["failure"],
         "webhook": {"urlSecretRef": {"name": "hook", "key": "url"},
                     "hmacSecretRef": {"name": "hook", "key": "hmac"}}}
      ],
      "serviceAccountName": "dbt-runner",
      "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": 2147483648}},
      "nodeSelector": {"pool": "batch"},
      "tolerations": [{"key": "batch", "operator": "Exists", "effect": "NoSchedule"}],
      "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "futureField": "kept"},
      "env": [{"name": "TZ", "value": "UTC"}]
    },
    "status": {
      "conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                      "message": "spec valid", "observedGeneration": 3,
                      "lastTransitionTime": "2026-01-01T00:05:00Z"}],
      "observedGeneration": 3,
      "targets": [{"name": "dev", "protected": false, "database": "analytics", "schema": "dev_analytics"},
                  {"name": "prod", "protected": true, "database": "analytics", "schema": "analytics"}],
      "targetNames": "dev,prod"
    }
  })");
}

TEST(DbtProjectJsonTest, EveryFieldRoundTrips) {
  Json in = full_project();
  DbtProject project = dbt_project_from_json(in);
  EXPECT_EQ(to_json(project), in);
  EXPECT_EQ(dbt_project_from_json(to_json(project)), project);
}

TEST(DbtProjectJsonTest, DecodesIntoTypedFields) {
  DbtProject p = dbt_project_from_json(full_project());
  EXPECT_EQ(p.metadata.name, "analytics");
  EXPECT_EQ(p.metadata.generation, 3);
  ASSERT_TRUE(p.spec.source.git);
  EXPECT_EQ(p.spec.source.git->secret_ref->name, "git-token");
  const Target& prod = p.spec.targets.at("prod");
  EXPECT_TRUE(prod.is_protected);
  EXPECT_EQ(prod.sslmode, SslMode::VerifyFull);
  EXPECT_EQ(prod.password_secret_ref->key, "password");
  EXPECT_EQ(p.spec.targets.at("dev").port, 5433);
  EXPECT_EQ(p.spec.notifications[0].events[1], NotificationEvent::TestFailure);
  EXPECT_EQ(p.spec.notifications[1].email->to.size(), 2u);
  EXPECT_EQ(*p.spec.effective_default_target(), "dev");
  EXPECT_EQ(p.status.conditions[0].status, ConditionStatus::True);
}

TEST(DbtProjectJsonTest, AppliesTheCrdDefaults) {
  DbtProject p = dbt_project_from_json(Json::parse(R"({
    "metadata": {"name": "small"},
    "spec": {"source": {"git": {"url": "https://x/y.git"}},
             "targets": {"dev": {"host": "h", "user": "u", "database": "d", "schema": "s"}}}
  })"));
  EXPECT_EQ(p.spec.profile, "kubedbt");
  EXPECT_EQ(p.spec.source.git->path, ".");
  EXPECT_FALSE(p.spec.source.git->ref);
  EXPECT_EQ(p.spec.state.schema, "kubedbt");
  const Target& dev = p.spec.targets.at("dev");
  EXPECT_EQ(dev.type, TargetType::Postgres);
  EXPECT_EQ(dev.port, 5432);
  EXPECT_EQ(dev.threads, 4);
  EXPECT_EQ(dev.sslmode, SslMode::Prefer);
  EXPECT_FALSE(dev.is_protected);
  EXPECT_EQ(*p.spec.effective_default_target(), "dev");

  Json out = to_json(p);
  EXPECT_EQ(out["spec"]["targets"]["dev"]["port"], 5432);
  EXPECT_EQ(out["spec"]["state"]["schema"], "kubedbt");
  EXPECT_EQ(out["spec"]["ci"]["schemaPrefix"], "ci_");
  EXPECT_EQ(p.spec.anomalies, AnomalyThresholds{});
  EXPECT_EQ(out["spec"]["anomalies"],
            Json::parse(R"({"rowCountFactor": 10.0, "durationFactor": 3.0, "historyRuns": 10})"));
  EXPECT_FALSE(out.contains("status"));

  Notification n;
  decode(Json::parse(R"({"webhook": {"urlSecretRef": {"name": "h", "key": "u"}}})"), "n", n);
  EXPECT_EQ(n.events, std::vector<NotificationEvent>{NotificationEvent::Failure});
  ImageSource image;
  decode(Json::object(), "spec.source.image", image);
  EXPECT_EQ(image.path, "/project");
}

TEST(DbtProjectJsonTest, PreservesFreeFormFieldsVerbatim) {
  DbtProject p = dbt_project_from_json(full_project());
  EXPECT_EQ(p.spec.targets.at("dev").extra["nested"]["k"][1], 2);
  EXPECT_EQ(p.spec.security_context["futureField"], "kept");
  EXPECT_EQ(p.spec.targets.at("prod").env[0].value_from["configMapKeyRef"]["key"], "opts");
  EXPECT_EQ(p.metadata.other["finalizers"][0], "kubedbt.io/cleanup");
  EXPECT_EQ(p.metadata.other["creationTimestamp"], "2026-01-01T00:00:00Z");
}

TEST(DbtProjectJsonTest, WrongTypesNameTheField) {
  auto error_of = [](const char* pointer, Json value) {
    Json j = full_project();
    j[Json::json_pointer(pointer)] = std::move(value);
    try {
      dbt_project_from_json(j);
    } catch (const DecodeError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of("/spec/targets/prod/port", "5432"),
            "spec.targets.prod.port: expected an integer, got string");
  EXPECT_EQ(error_of("/spec/targets/prod/sslmode", "sometimes"),
            "spec.targets.prod.sslmode: unknown value \"sometimes\"; use one of disable, allow, "
            "prefer, require, verify-ca, verify-full");
  EXPECT_EQ(error_of("/spec/targets/dev/protected", "yes"),
            "spec.targets.dev.protected: expected true or false, got string");
  EXPECT_EQ(
      error_of("/spec/notifications/1/events/0", "always"),
      "spec.notifications[1].events[0]: unknown value \"always\"; use one of failure, success, "
      "testFailure, freshnessWarn, anomaly");
  EXPECT_EQ(error_of("/spec/targets", Json::array()),
            "spec.targets: expected an object, got array");
  EXPECT_EQ(error_of("/spec/source", "git"), "spec.source: expected an object, got string");
  EXPECT_EQ(error_of("/status/conditions/0/lastTransitionTime", "today"),
            "status.conditions[0].lastTransitionTime: \"today\" is not an RFC 3339 time such as "
            "2026-03-29T06:00:00Z");
  EXPECT_EQ(error_of("/spec/targets/prod/threads", 1e12),
            "spec.targets.prod.threads: integer out of range");
  EXPECT_EQ(error_of("/spec/targets/prod/threads", 2.5),
            "spec.targets.prod.threads: expected an integer, got number");
  EXPECT_THAT(error_of("/metadata", "x"), HasSubstr("metadata: expected an object"));
}

TEST(DbtProjectJsonTest, TargetNamesAreDerivedFromTargets) {
  DbtProjectStatus status;
  decode(Json::parse(R"({"targets": [{"name": "a"}], "targetNames": "stale"})"), "status", status);
  EXPECT_EQ(encode(status)["targetNames"], "a");
  EXPECT_FALSE(encode(DbtProjectStatus{}).contains("targetNames"));
}

TEST(DbtProjectJsonTest, NoDefaultTargetWhenSeveralAndNoneNamed) {
  DbtProject p = dbt_project_from_json(full_project());
  p.spec.default_target.reset();
  EXPECT_EQ(p.spec.effective_default_target(), nullptr);
}

}  // namespace
}  // namespace kubedbt::api
