// Notification secrets reach the runner as environment variables: their names in the run spec
// (KUBEDBT_NOTIFY_<i>_URL, _HMAC, _SMTP_<KEY>) and the secretKeyRef entries of the pod.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/dbt_project.h"

namespace kubedbt::op {

// One env var of the runner container taken from a Secret key.
struct SecretEnv {
  std::string name;
  std::string secret;
  std::string key;
  bool optional = false;  // a missing key leaves the variable unset instead of failing the pod
  bool operator==(const SecretEnv&) const = default;
};

// "KUBEDBT_NOTIFY_<index>_": the prefix of every variable of spec.notifications[index].
std::string notification_env_prefix(std::size_t index);

// The run spec entry of spec.notifications[index] (runner/spec/run_spec.h, NotificationSpec):
// events and the channel, with env var names where the Secret values are.
nlohmann::json notification_run_spec(const api::Notification& notification, std::size_t index);

// The env vars the entry above names. Slack: URL; webhook: URL and, when set, HMAC; e-mail: the
// SMTP Secret's keys host, port and from (required), username, password and tls (optional).
std::vector<SecretEnv> notification_secret_env(const api::Notification& notification,
                                               std::size_t index);

}  // namespace kubedbt::op
