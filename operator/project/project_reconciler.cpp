// DbtProject reconcile: evaluate, patch status on change, an Event on each readiness transition.
#include "operator/project/project_reconciler.h"

#include "api/validation.h"
#include "api/validation_rules.h"
#include "common/log.h"
#include "kube/errors.h"
#include "operator/core/kinds.h"
#include "operator/core/protected_target_guard.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

struct SecretRefUse {
  std::string name;
  std::string key;  // empty: the whole Secret
  std::string field;
};

std::vector<SecretRefUse> secret_references(const api::DbtProjectSpec& spec) {
  std::vector<SecretRefUse> refs;
  for (const auto& [name, target] : spec.targets) {
    if (target.password_secret_ref) {
      refs.push_back({target.password_secret_ref->name, target.password_secret_ref->key,
                      "spec.targets." + name + ".passwordSecretRef"});
    }
  }
  if (spec.source.git && spec.source.git->secret_ref) {
    // Over ssh the host key must be pinned; the runner refuses to fetch without it.
    std::string key = api::rules::is_ssh_git_url(spec.source.git->url) ? "ssh-known-hosts" : "";
    refs.push_back({spec.source.git->secret_ref->name, key, "spec.source.git.secretRef"});
  }
  for (std::size_t i = 0; i < spec.notifications.size(); ++i) {
    const auto& n = spec.notifications[i];
    std::string at = "spec.notifications[" + std::to_string(i) + "]";
    if (n.slack) {
      refs.push_back({n.slack->webhook_secret_ref.name, n.slack->webhook_secret_ref.key,
                      at + ".slack.webhookSecretRef"});
    }
    if (n.email) {
      // The runner needs these keys; username, password and tls are optional.
      for (const char* key : {"host", "port", "from"}) {
        refs.push_back({n.email->smtp_secret_ref.name, key, at + ".email.smtpSecretRef"});
      }
    }
    if (n.webhook) {
      refs.push_back({n.webhook->url_secret_ref.name, n.webhook->url_secret_ref.key,
                      at + ".webhook.urlSecretRef"});
      if (n.webhook->hmac_secret_ref) {
        refs.push_back({n.webhook->hmac_secret_ref->name, n.webhook->hmac_secret_ref->key,
                        at + ".webhook.hmacSecretRef"});
      }
    }
  }
  return refs;
}

api::Condition ready(api::ConditionStatus status, std::string_view reason, std::string message,
                     std::int64_t generation) {
  return api::make_condition(api::condition_type::kReady, status, reason, std::move(message),
                             generation);
}

}  // namespace

api::Condition evaluate_project(const api::DbtProject& project, const SecretChecker& secrets) {
  auto generation = project.metadata.generation;
  auto errors = api::validate(project);
  if (!errors.empty()) {
    return ready(api::ConditionStatus::False, project_reason::kInvalidSpec,
                 api::join_messages(errors), generation);
  }
  for (const auto& ref : secret_references(project.spec)) {
    switch (secrets(ref.name, ref.key)) {
      case SecretCheck::Present:
        break;
      case SecretCheck::SecretNotFound:
        return ready(api::ConditionStatus::False, project_reason::kSecretNotFound,
                     "Secret " + ref.name + " (" + ref.field + ") does not exist in namespace " +
                         project.metadata.namespace_ + ".",
                     generation);
      case SecretCheck::KeyNotFound:
        return ready(api::ConditionStatus::False, project_reason::kSecretKeyNotFound,
                     "Secret " + ref.name + " has no key " + ref.key + " (" + ref.field + ").",
                     generation);
    }
  }
  return ready(api::ConditionStatus::True, project_reason::kReady,
               "The spec is valid and every referenced Secret exists.", generation);
}

api::DbtProjectStatus desired_project_status(const api::DbtProject& project,
                                             const api::Condition& ready, api::Timestamp now) {
  api::DbtProjectStatus status = project.status;
  api::set_condition(status.conditions, ready, now);
  status.observed_generation = project.metadata.generation;
  status.targets.clear();
  for (const auto& [name, target] : project.spec.targets) {
    status.targets.push_back({name, target.is_protected, target.database, target.schema});
  }
  return status;
}

api::Condition guard_condition(
    const api::DbtProject& project,
    const std::function<std::optional<std::string>(const std::string& target)>& unguarded) {
  for (const auto& [name, target] : project.spec.targets) {
    if (!target.is_protected) continue;
    if (auto why = unguarded(name)) {
      return api::make_condition(
          api::condition_type::kProtectedTargetsGuarded, api::ConditionStatus::False,
          project_reason::kProtectedTargetUnguarded, *why, project.metadata.generation);
    }
  }
  return api::make_condition(api::condition_type::kProtectedTargetsGuarded,
                             api::ConditionStatus::True, project_reason::kGuarded,
                             "The admission policy lists who may start runs on every protected "
                             "target.",
                             project.metadata.generation);
}

ReconcileResult reconcile_project(const ReconcileContext& ctx, const std::string& ns,
                                  const std::string& name) {
  auto object = ctx.cache.get(kDbtProjects, ns, name);
  if (!object) return {};
  auto decoded = decode_or_log(api::dbt_project_from_json, *object, "DbtProject", ns, name);
  if (!decoded) return {};
  api::DbtProject& project = *decoded;
  SecretChecker checker = [&](const std::string& secret, const std::string& key) {
    if (!ctx.cache.get(kube::resources::kSecrets, ns, secret)) return SecretCheck::SecretNotFound;
    if (key.empty()) return SecretCheck::Present;
    try {
      // Direct read, never cached or logged: only the key names are looked at.
      auto full = ctx.client.get(kube::resources::kSecrets, ns, secret);
      bool has = full.value("data", Json::object()).contains(key) ||
                 full.value("stringData", Json::object()).contains(key);
      return has ? SecretCheck::Present : SecretCheck::KeyNotFound;
    } catch (const kube::NotFound&) {
      return SecretCheck::SecretNotFound;
    }
  };
  auto readiness = evaluate_project(project, checker);

  auto guarded = guard_condition(project, [&](const std::string& target) {
    return unguarded_target_refusal(ctx.client, ctx.config.protected_targets_policy, ns, name,
                                    target);
  });

  auto now = ctx.clock.now_seconds();
  auto status = desired_project_status(project, readiness, now);
  api::set_condition(status.conditions, guarded, now);
  if (status != project.status) {
    const auto* before =
        api::find_condition(project.status.conditions, api::condition_type::kReady);
    bool transition =
        !before || before->status != readiness.status || before->reason != readiness.reason;
    ctx.client.merge_patch(kDbtProjects, ns, name, Json{{"status", api::encode(status)}}, "status");
    if (transition) {
      bool ok = readiness.status == api::ConditionStatus::True;
      ctx.events.record(api::kDbtProjectKind, project.metadata, ok ? "Normal" : "Warning",
                        readiness.reason, readiness.message);
      log::info("project readiness changed",
                {{"namespace", ns}, {"name", name}, {"ready", ok}, {"reason", readiness.reason}});
    }
  }
  // The policy is not watched: an unguarded project looks again, so fixing the chart clears it.
  if (guarded.status != api::ConditionStatus::True) return {kUnguardedRecheck};
  return {};
}

}  // namespace kubedbt::op
