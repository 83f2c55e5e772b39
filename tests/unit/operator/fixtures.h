// Sample resources shared by the operator's unit suites, as fixture JSON and decoded.
#pragma once

#include <string>

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "api/dbt_schedule.h"

namespace kubedbt::op::testing {

// "Now" of every suite that needs one, and its text in the API.
inline const std::string kNowText = "2026-11-25T12:00:00Z";
inline const api::Timestamp kNow = *api::parse_timestamp(kNowText);

inline nlohmann::json sample_project_json() {
  return nlohmann::json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtProject",
    "metadata": {"name": "shop", "namespace": "analytics", "uid": "p-uid", "generation": 3},
    "spec": {
      "source": {"git": {"url": "https://git.example/shop.git", "ref": "main", "path": "dbt",
                         "secretRef": {"name": "git-cred"}}},
      "profile": "shop",
      "defaultTarget": "dev",
      "targets": {
        "dev": {"type": "postgres", "host": "db.dev", "user": "dbt", "database": "shop",
                "schema": "dev_ci", "passwordSecretRef": {"name": "pg-dev", "key": "password"}},
        "prod": {"type": "postgres", "host": "db.prod", "user": "dbt", "database": "shop",
                 "schema": "analytics", "protected": true,
                 "passwordSecretRef": {"name": "pg-prod", "key": "password"}}
      }
    }})");
}

inline nlohmann::json sample_schedule_json() {
  return nlohmann::json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtSchedule",
    "metadata": {"name": "nightly", "namespace": "analytics", "uid": "s-uid", "generation": 1},
    "spec": {"projectRef": {"name": "shop"}, "target": "prod", "schedule": "30 2 * * *",
             "timeZone": "Europe/Berlin", "concurrencyPolicy": "Forbid",
             "startingDeadlineSeconds": 300, "commands": ["seed", "build"],
             "select": ["tag:nightly"], "vars": {"price": "$5"}, "timeout": "1h"}})");
}

inline nlohmann::json sample_run_json() {
  return nlohmann::json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtRun",
    "metadata": {"name": "manual-1", "namespace": "analytics", "uid": "r-uid", "generation": 1},
    "spec": {"projectRef": {"name": "shop"}, "target": "dev", "commands": ["run"],
             "source": {"ref": "abc123"}, "timeout": "10m"}})");
}

inline api::DbtProject sample_project() {
  return api::dbt_project_from_json(sample_project_json());
}

inline api::DbtSchedule sample_schedule() {
  return api::dbt_schedule_from_json(sample_schedule_json());
}

inline api::DbtRun sample_run() { return api::dbt_run_from_json(sample_run_json()); }

// The sample project's JSON with a Ready condition of `status` ("True", "False") for `reason`.
inline nlohmann::json project_with_ready(const std::string& status, const std::string& reason,
                                         const std::string& message) {
  auto project = sample_project_json();
  project["status"]["conditions"] =
      nlohmann::json::array({{{"type", "Ready"},
                              {"status", status},
                              {"reason", reason},
                              {"message", message},
                              {"observedGeneration", 3},
                              {"lastTransitionTime", "2026-11-25T10:00:00Z"}}});
  return project;
}

// The sample project with one notification of each channel.
inline api::DbtProject project_with_notifications() {
  auto project = sample_project();
  project.spec.notifications = api::dbt_project_from_json(nlohmann::json::parse(R"({
    "metadata": {"name": "shop"},
    "spec": {"source": {"image": {}}, "targets": {}, "notifications": [
      {"events": ["failure", "anomaly"],
       "slack": {"webhookSecretRef": {"name": "slack-hook", "key": "url"}, "channel": "#data"}},
      {"events": ["testFailure"], "email": {"smtpSecretRef": {"name": "smtp-creds"}, "to": ["a@b.c"]}},
      {"events": ["success"], "webhook": {"urlSecretRef": {"name": "hook-secret", "key": "url"},
                                          "hmacSecretRef": {"name": "hook-secret", "key": "hmac"}}}]}
  })"))
                                   .spec.notifications;
  return project;
}

// A Job named "j" that started at 11:00 and whose condition `type` turned True at 11:10.
inline nlohmann::json job_with(const std::string& type, const std::string& reason) {
  return {{"metadata", {{"name", "j"}}},
          {"status",
           {{"startTime", "2026-11-25T11:00:00Z"},
            {"conditions",
             nlohmann::json::array({{{"type", type},
                                     {"status", "True"},
                                     {"reason", reason},
                                     {"lastTransitionTime", "2026-11-25T11:10:00Z"}}})}}}};
}

}  // namespace kubedbt::op::testing
