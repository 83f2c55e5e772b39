// validate(DbtProject): source, targets, default target, state, notifications, pod knobs.
#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "api/validation.h"
#include "api/validation_rules.h"

namespace kubedbt::api {

using rules::add;

namespace {

bool has_no_space(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
}

// https://, http://, ssh://, git:// or file:// followed by a location, or scp-like
// user@host:path.
bool is_git_url(std::string_view url) {
  if (url.empty() || url.size() > 2048 || !has_no_space(url)) return false;
  for (std::string_view scheme : {"https://", "http://", "ssh://", "git://", "file://"}) {
    if (url.starts_with(scheme)) return url.size() > scheme.size();
  }
  auto at = url.find('@');
  auto colon = url.find(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || at == 0 ||
      colon < at + 2 || colon + 1 == url.size()) {
    return false;
  }
  auto user = url.substr(0, at), host = url.substr(at + 1, colon - at - 1);
  auto user_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  auto host_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  };
  return std::all_of(user.begin(), user.end(), user_char) &&
         std::all_of(host.begin(), host.end(), host_char);
}

std::string target_list(const DbtProjectSpec& spec) {
  std::string out;
  for (const auto& [name, target] : spec.targets) out += (out.empty() ? "" : ", ") + name;
  return out;
}

void check_source(FieldErrors& errors, const ProjectSource& source) {
  if (source.git.has_value() == source.image.has_value()) {
    add(errors, "spec.source",
        "must set exactly one of git or image; " +
            std::string(source.git ? "remove one of them" : "add git{url} or image{path}"));
  }
  if (source.git) {
    const GitSource& git = *source.git;
    if (!is_git_url(git.url)) {
      add(errors, "spec.source.git.url",
          "\"" + git.url + "\" must be an https://, ssh://, git@host:path or file:// URL");
    }
    if (rules::git_url_has_credentials(git.url)) {
      add(errors, "spec.source.git.url",
          "must not carry credentials (a user or user:password before '@'): they would be "
          "readable in the DbtProject and every Job; put a token (key token) or SSH key (key "
          "ssh-privatekey) in the Secret named by spec.source.git.secretRef");
    }
    if (rules::is_ssh_git_url(git.url) && !git.secret_ref) {
      add(errors, "spec.source.git.secretRef",
          "is required for an ssh URL: its key ssh-known-hosts pins the server's host key (the "
          "line ssh-keyscan prints, checked against what your git host publishes), and "
          "ssh-privatekey holds the deploy key");
    }
    if (git.ref && git.ref->starts_with("-")) {
      add(errors, "spec.source.git.ref", "must not start with '-', such as main or v1.2.0");
    }
    if (git.ref && (git.ref->empty() || git.ref->size() > 255 ||
                    git.ref->find_first_of(" \t\n") != std::string::npos)) {
      add(errors, "spec.source.git.ref",
          "must be a branch, tag or commit of 1 to 255 characters without spaces, such as main");
    }
    if (git.path.empty() || git.path.front() == '/' || git.path.find("..") != std::string::npos) {
      add(errors, "spec.source.git.path",
          "must be a relative folder inside the repository without '..', such as . or "
          "analytics/dbt");
    }
    if (git.secret_ref) {
      rules::check_object_ref(errors, "spec.source.git.secretRef.name", git.secret_ref->name,
                              "Secret");
    }
  }
  if (source.image && (source.image->path.empty() || source.image->path.front() != '/' ||
                       source.image->path.find("..") != std::string::npos)) {
    add(errors, "spec.source.image.path",
        "must be an absolute folder in the runner image without '..', such as /project");
  }
}

void check_target(FieldErrors& errors, const std::string& field, const Target& t) {
  if (t.host.empty() || t.host.size() > 253) {
    add(errors, field + ".host", "is required: the warehouse host name, such as postgres.db.svc");
  }
  if (t.port < 1 || t.port > 65535) {
    add(errors, field + ".port", "must be between 1 and 65535 (PostgreSQL listens on 5432)");
  }
  if (t.user.empty() || t.user.size() > 128) {
    add(errors, field + ".user", "is required: the database user (1 to 128 characters)");
  }
  if (t.database.empty() || t.database.size() > 128) {
    add(errors, field + ".database", "is required: the database name (1 to 128 characters)");
  }
  if (!rules::is_identifier(t.schema)) {
    add(errors, field + ".schema",
        "\"" + t.schema +
            "\" must be a schema name of letters, digits and '_', not starting with "
            "a digit, at most 63 characters (such as analytics)");
  }
  rules::check_threads(errors, field + ".threads", t.threads);
  if (t.password_secret_ref) {
    rules::check_secret_key_ref(errors, field + ".passwordSecretRef", *t.password_secret_ref);
  }
  if (!t.extra.is_null() && !t.extra.is_object()) {
    add(errors, field + ".extra",
        "must be an object of profile keys, such as {connect_timeout: 10}");
  }
  rules::check_env(errors, field + ".env", t.env);
}

void check_notification(FieldErrors& errors, const std::string& field, const Notification& n) {
  int channels = int{n.slack.has_value()} + int{n.email.has_value()} + int{n.webhook.has_value()};
  if (channels != 1) {
    add(errors, field,
        "must set exactly one of slack, email or webhook; " +
            std::string(channels == 0 ? "add one" : "split it into one entry each"));
  }
  if (n.events.empty()) {
    add(errors, field + ".events",
        "must list at least one event: failure, success, testFailure, freshnessWarn or anomaly");
  }
  if (n.slack)
    rules::check_secret_key_ref(errors, field + ".slack.webhookSecretRef",
                                n.slack->webhook_secret_ref);
  if (n.email) {
    rules::check_object_ref(errors, field + ".email.smtpSecretRef.name",
                            n.email->smtp_secret_ref.name, "Secret");
    if (n.email->to.empty()) {
      add(errors, field + ".email.to",
          "must list at least one address, such as data-team@example.com");
    }
    for (std::size_t i = 0; i < n.email->to.size(); ++i) {
      const std::string& to = n.email->to[i];
      auto at = to.find('@');
      if (at == std::string::npos || at == 0 || at + 1 == to.size() || to.size() > 254) {
        add(errors, field + ".email.to[" + std::to_string(i) + "]",
            "\"" + to + "\" is not an e-mail address such as data-team@example.com");
      }
    }
  }
  if (n.webhook) {
    rules::check_secret_key_ref(errors, field + ".webhook.urlSecretRef", n.webhook->url_secret_ref);
    if (n.webhook->hmac_secret_ref) {
      rules::check_secret_key_ref(errors, field + ".webhook.hmacSecretRef",
                                  *n.webhook->hmac_secret_ref);
    }
  }
}

}  // namespace

FieldErrors validate(const DbtProject& project) {
  FieldErrors errors;
  const DbtProjectSpec& spec = project.spec;
  rules::check_name_length(errors, kDbtProjectKind, project.metadata.name,
                           rules::kMaxProjectNameLength, "it is used in label values");
  check_source(errors, spec.source);
  if (!rules::is_identifier(spec.profile)) {
    add(errors, "spec.profile",
        "\"" + spec.profile +
            "\" must be a profile name of letters, digits and '_', such as kubedbt");
  }
  if (spec.targets.empty() || spec.targets.size() > 20) {
    add(errors, "spec.targets", "must define between 1 and 20 targets, such as dev and prod");
  }
  for (const auto& [name, target] : spec.targets) {
    if (!rules::is_target_name(name)) {
      add(errors, "spec.targets",
          "has a target named \"" + name +
              "\"; target names use letters, digits, '_' or '-', "
              "start with a letter or digit and have at most 63 characters");
    }
    check_target(errors, "spec.targets." + name, target);
  }
  if (spec.default_target) {
    if (!spec.targets.contains(*spec.default_target)) {
      add(errors, "spec.defaultTarget",
          "\"" + *spec.default_target + "\" is not one of spec.targets (" + target_list(spec) +
              "); name an existing target");
    }
  } else if (spec.targets.size() > 1) {
    add(errors, "spec.defaultTarget",
        "is required when spec.targets has more than one target; set it to one of " +
            target_list(spec));
  }
  if (!rules::is_identifier(spec.state.schema)) {
    add(errors, "spec.state.schema",
        "\"" + spec.state.schema +
            "\" must be a schema name of letters, digits and '_', such as kubedbt");
  }
  for (const auto& [name, target] : spec.targets) {
    // Each target keeps its state in <state.schema>_<target>; PostgreSQL would cut a longer name.
    if (spec.state.schema.size() + 1 + name.size() > 63) {
      add(errors, "spec.state.schema",
          "\"" + spec.state.schema + "\" with target \"" + name + "\" makes the state schema " +
              spec.state.schema + "_" + name +
              ", longer than PostgreSQL's 63 characters; use a shorter state schema or target "
              "name");
    }
  }
  const std::string& prefix = spec.ci.schema_prefix;
  if (prefix.size() < 2 || prefix.size() > 40 || !rules::is_identifier(prefix)) {
    add(errors, "spec.ci.schemaPrefix",
        "\"" + prefix +
            "\" must be 2 to 40 letters, digits and '_', not starting with a digit, such as ci_");
  } else if (rules::is_system_schema(prefix + "x")) {
    add(errors, "spec.ci.schemaPrefix",
        "\"" + prefix + "\" would name PostgreSQL's own schemas (pg_*); use a prefix such as ci_");
  }
  for (const auto& [name, target] : spec.targets) {
    if (rules::is_schema_or_child(prefix + "x", target.schema)) {
      add(errors, "spec.ci.schemaPrefix",
          "\"" + prefix + "\" starts with the schema of target \"" + name + "\" (\"" +
              target.schema +
              "\"), so every CI schema would be one of that target's; use a prefix such as ci_");
    }
  }
  for (const auto& [field, factor] :
       {std::pair{"rowCountFactor", spec.anomalies.row_count_factor},
        std::pair{"durationFactor", spec.anomalies.duration_factor}}) {
    if (!(factor >= rules::kMinAnomalyFactor && factor <= rules::kMaxAnomalyFactor)) {
      add(errors, std::string("spec.anomalies.") + field,
          "must be a factor between 1.5 and 1000000, such as 10 (a smaller one flags every run)");
    }
  }
  if (spec.anomalies.history_runs < rules::kMinAnomalyHistoryRuns ||
      spec.anomalies.history_runs > rules::kMaxAnomalyHistoryRuns) {
    add(errors, "spec.anomalies.historyRuns",
        "must be between 3 and 1000 recent runs (a median needs a few), such as 10");
  }
  if (spec.notifications.size() > 10) {
    add(errors, "spec.notifications",
        "must have at most 10 entries; merge entries that share a channel");
  }
  for (std::size_t i = 0; i < spec.notifications.size(); ++i) {
    check_notification(errors, "spec.notifications[" + std::to_string(i) + "]",
                       spec.notifications[i]);
  }
  if (spec.service_account_name) {
    rules::check_object_ref(errors, "spec.serviceAccountName", *spec.service_account_name,
                            "ServiceAccount");
  }
  if (!spec.tolerations.is_null() && !spec.tolerations.is_array()) {
    add(errors, "spec.tolerations", "must be a list of core/v1 Tolerations");
  }
  rules::check_env(errors, "spec.env", spec.env);
  return errors;
}

}  // namespace kubedbt::api
