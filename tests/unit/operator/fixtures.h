// Sample resources shared by the operator's unit suites.
#pragma once

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "api/dbt_schedule.h"

namespace kubedbt::op::testing {

inline api::DbtProject sample_project() {
  return api::dbt_project_from_json(nlohmann::json::parse(R"({
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
    }})"));
}

inline api::DbtSchedule sample_schedule() {
  return api::dbt_schedule_from_json(nlohmann::json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtSchedule",
    "metadata": {"name": "nightly", "namespace": "analytics", "uid": "s-uid", "generation": 1},
    "spec": {"projectRef": {"name": "shop"}, "target": "prod", "schedule": "30 2 * * *",
             "timeZone": "Europe/Berlin", "concurrencyPolicy": "Forbid",
             "startingDeadlineSeconds": 300, "commands": ["seed", "build"],
             "select": ["tag:nightly"], "vars": {"price": "$5"}, "timeout": "1h"}})"));
}

inline api::DbtRun sample_run() {
  return api::dbt_run_from_json(nlohmann::json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtRun",
    "metadata": {"name": "manual-1", "namespace": "analytics", "uid": "r-uid", "generation": 1},
    "spec": {"projectRef": {"name": "shop"}, "target": "dev", "commands": ["run"],
             "source": {"ref": "abc123"}, "timeout": "10m"}})"));
}

}  // namespace kubedbt::op::testing
