// Notification env: one naming scheme shared by the run spec and the pod template.
#include "operator/children/notification_env.h"

namespace kubedbt::op {
namespace {

struct SmtpKey {
  const char* key;  // in the SMTP Secret
  const char* env;  // suffix after <prefix>SMTP_
  bool optional;
};

constexpr SmtpKey kSmtpKeys[] = {{"host", "HOST", false},        {"port", "PORT", false},
                                 {"from", "FROM", false},        {"username", "USERNAME", true},
                                 {"password", "PASSWORD", true}, {"tls", "TLS", true}};

}  // namespace

std::string notification_env_prefix(std::size_t index) {
  return "KUBEDBT_NOTIFY_" + std::to_string(index) + "_";
}

nlohmann::json notification_run_spec(const api::Notification& n, std::size_t index) {
  const std::string prefix = notification_env_prefix(index);
  nlohmann::json out = {{"events", api::encode(n.events)}};
  if (n.slack) {
    out["slack"] = {{"urlEnv", prefix + "URL"}};
    if (n.slack->channel) out["slack"]["channel"] = *n.slack->channel;
  }
  if (n.email) {
    out["email"] = {{"smtpEnvPrefix", prefix + "SMTP_"}, {"to", n.email->to}};
  }
  if (n.webhook) {
    out["webhook"] = {{"urlEnv", prefix + "URL"}};
    if (n.webhook->hmac_secret_ref) out["webhook"]["hmacEnv"] = prefix + "HMAC";
  }
  return out;
}

std::vector<SecretEnv> notification_secret_env(const api::Notification& n, std::size_t index) {
  const std::string prefix = notification_env_prefix(index);
  std::vector<SecretEnv> env;
  if (n.slack) {
    env.push_back(
        {prefix + "URL", n.slack->webhook_secret_ref.name, n.slack->webhook_secret_ref.key});
  }
  if (n.email) {
    for (const auto& k : kSmtpKeys) {
      env.push_back({prefix + "SMTP_" + k.env, n.email->smtp_secret_ref.name, k.key, k.optional});
    }
  }
  if (n.webhook) {
    env.push_back({prefix + "URL", n.webhook->url_secret_ref.name, n.webhook->url_secret_ref.key});
    if (const auto& hmac = n.webhook->hmac_secret_ref) {
      env.push_back({prefix + "HMAC", hmac->name, hmac->key});
    }
  }
  return env;
}

}  // namespace kubedbt::op
