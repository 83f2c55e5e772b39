// Pod template: container, env (values, downward API, secretKeyRef), volumes and security.
#include "operator/children/pod_template.h"

#include "operator/children/child_names.h"
#include "operator/children/notification_env.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

Json field_env(const std::string& name, const std::string& field_path) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", field_path}}}}}};
}

Json secret_env(const std::string& name, const std::string& secret, const std::string& key,
                bool optional) {
  Json ref = {{"name", secret}, {"key", key}};
  if (optional) ref["optional"] = true;
  return {{"name", name}, {"valueFrom", {{"secretKeyRef", ref}}}};
}

void append_env(Json& env, const std::vector<api::EnvVar>& vars) {
  for (const auto& v : vars) env.push_back(api::encode(v));
}

// What a stopped runner does after dbt's cancel grace: record the state store (each statement
// bounded by its statement_timeout), write the final status (5 attempts, 10 s of pauses) and send
// the notifications of a cancelled run (10 s for all). The pod's termination grace covers both.
constexpr std::int64_t kRunnerShutdownSeconds = 60;

std::int64_t termination_grace_seconds(const RunInputs& inputs) {
  return split_timeout(inputs.timeout).runner_cancel_grace_seconds.value_or(10) +
         kRunnerShutdownSeconds;
}

Json default_resources() {
  return {{"requests", {{"cpu", "100m"}, {"memory", "256Mi"}}}, {"limits", {{"memory", "1Gi"}}}};
}

}  // namespace

Json build_pod_template(const api::DbtProject& project, const RunInputs& inputs,
                        const OperatorConfig& config,
                        const std::map<std::string, std::string>& labels) {
  auto run_spec = build_run_spec(project, inputs);  // throws for an unknown target
  const auto& target = project.spec.targets.at(inputs.target_name);

  Json env = Json::array();
  // Defined first: later values may refer to it as $(KUBEDBT_JOB_NAME).
  env.push_back(
      field_env(std::string(kJobNameEnv), "metadata.labels['batch.kubernetes.io/job-name']"));
  env.push_back(field_env("KUBEDBT_POD_NAME", "metadata.name"));
  env.push_back(field_env("KUBEDBT_POD_NAMESPACE", "metadata.namespace"));
  env.push_back({{"name", std::string(kRunSpecEnv)}, {"value", run_spec_env_value(run_spec)}});
  env.push_back({{"name", "TMPDIR"}, {"value", std::string(kWorkMountPath)}});
  if (target.password_secret_ref) {
    env.push_back(secret_env(password_env_name(inputs.target_name),
                             target.password_secret_ref->name, target.password_secret_ref->key,
                             false));
  } else {
    // dbt's env_var() fails on a missing variable; a target without a password gets an empty one.
    env.push_back({{"name", password_env_name(inputs.target_name)}, {"value", ""}});
  }
  const auto& source = project.spec.source;
  if (source.git && source.git->secret_ref) {
    env.push_back(secret_env("KUBEDBT_GIT_TOKEN", source.git->secret_ref->name, "token", true));
    env.push_back(
        secret_env("KUBEDBT_GIT_SSH_KEY", source.git->secret_ref->name, "ssh-privatekey", true));
    env.push_back(secret_env("KUBEDBT_GIT_KNOWN_HOSTS", source.git->secret_ref->name,
                             "ssh-known-hosts", true));
  }
  for (std::size_t i = 0; i < project.spec.notifications.size(); ++i) {
    for (const auto& e : notification_secret_env(project.spec.notifications[i], i)) {
      env.push_back(secret_env(e.name, e.secret, e.key, e.optional));
    }
  }
  append_env(env, project.spec.env);
  append_env(env, target.env);

  Json container = {
      {"name", "runner"},
      {"image", project.spec.image.value_or(config.runner_image)},
      {"imagePullPolicy", "IfNotPresent"},
      {"env", env},
      {"resources", project.spec.resources.is_object() && !project.spec.resources.empty()
                        ? project.spec.resources
                        : default_resources()},
      {"volumeMounts",
       Json::array({{{"name", "work"}, {"mountPath", std::string(kWorkMountPath)}}})},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"runAsNonRoot", true},
        {"capabilities", {{"drop", Json::array({"ALL"})}}}}},
      {"terminationMessagePath", "/dev/termination-log"},
      {"terminationMessagePolicy", "FallbackToLogsOnError"}};
  if (!config.runner_command.empty()) container["command"] = config.runner_command;

  Json pod_security = {{"runAsNonRoot", true},
                       {"runAsUser", config.runner_uid},
                       {"runAsGroup", config.runner_uid},
                       {"fsGroup", config.runner_uid},
                       {"seccompProfile", {{"type", "RuntimeDefault"}}}};
  if (project.spec.security_context.is_object()) pod_security.update(project.spec.security_context);

  Json pod_spec = {{"restartPolicy", "Never"},
                   {"terminationGracePeriodSeconds", termination_grace_seconds(inputs)},
                   {"serviceAccountName",
                    project.spec.service_account_name.value_or(config.runner_service_account)},
                   {"securityContext", pod_security},
                   {"containers", Json::array({container})},
                   {"volumes", Json::array({{{"name", "work"}, {"emptyDir", Json::object()}}})}};
  if (!project.spec.node_selector.empty()) pod_spec["nodeSelector"] = project.spec.node_selector;
  if (project.spec.tolerations.is_array() && !project.spec.tolerations.empty()) {
    pod_spec["tolerations"] = project.spec.tolerations;
  }
  return {{"metadata", {{"labels", labels}}}, {"spec", pod_spec}};
}

}  // namespace kubedbt::op
