// Parsing and validation of the run spec: every error names the field and what is expected.
#include "runner/spec/run_spec.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <sstream>
#include <string_view>

namespace kubedbt::runner {
namespace {

constexpr std::array kCommands = {
    "build", "run", "test", "seed", "snapshot", "source freshness", "docs generate", "compile"};
constexpr std::string_view kNameChars = "abcdefghijklmnopqrstuvwxyz0123456789-.";

void check_resource_name(const JsonFields& f, const std::string& key, const std::string& value) {
  if (value.size() > 253 || value.find_first_not_of(kNameChars) != std::string::npos) {
    throw SpecError(f.path_of(key), "\"" + value + "\" is not a valid Kubernetes name");
  }
}

SourceSpec parse_source(const JsonFields& f) {
  f.only({"git", "path"});
  SourceSpec source;
  if (f.has("git") == f.has("path")) {
    throw SpecError(f.path(), "give exactly one of git or path");
  }
  if (f.has("git")) {
    auto g = f.object("git");
    g.only({"url", "ref", "path", "timeoutSeconds", "token", "sshKey", "secretRef"});
    for (const char* key : {"token", "sshKey"}) {
      if (g.has(key)) {
        throw SpecError(g.path_of(key),
                        "credentials are not accepted in the run spec; they reach the runner as "
                        "KUBEDBT_GIT_TOKEN or KUBEDBT_GIT_SSH_KEY from a Secret");
      }
    }
    SourceSpec::Git git;
    git.url = g.required_string("url");
    git.ref = g.optional_string("ref").value_or("HEAD");
    git.path = g.optional_string("path").value_or("");
    git.timeout = std::chrono::seconds(
        g.optional_int("timeoutSeconds", 1, 24 * 3600).value_or(git.timeout.count()));
    if (git.ref.rfind("-", 0) == 0) throw SpecError(g.path_of("ref"), "must not start with '-'");
    if (git.path.find("..") != std::string::npos || git.path.rfind("/", 0) == 0) {
      throw SpecError(g.path_of("path"), "must be a relative path inside the repository");
    }
    source.git = git;
  } else {
    source.baked_path = f.required_string("path");
  }
  return source;
}

RetrySpec parse_retries(const JsonFields& f) {
  f.only({"limit", "strategy", "onTestFailure", "backoffSeconds"});
  RetrySpec r;
  r.limit = static_cast<int>(f.optional_int("limit", 0, 10).value_or(0));
  auto strategy = f.optional_string("strategy").value_or("FromFailure");
  if (strategy == "FromFailure") {
    r.strategy = RetrySpec::Strategy::FromFailure;
  } else if (strategy == "FromStart") {
    r.strategy = RetrySpec::Strategy::FromStart;
  } else {
    throw SpecError(f.path_of("strategy"),
                    "\"" + strategy + "\" is not one of FromFailure, FromStart");
  }
  r.on_test_failure = f.optional_bool("onTestFailure").value_or(false);
  r.backoff = std::chrono::seconds(f.optional_int("backoffSeconds", 0, 3600).value_or(10));
  return r;
}

// A PostgreSQL identifier the runner may put into SQL and profiles unquoted.
void check_identifier(const JsonFields& f, const std::string& key, const std::string& value) {
  bool ok =
      !value.empty() && value.size() <= 63 && !std::isdigit(static_cast<unsigned char>(value[0]));
  for (char c : value) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  }
  if (!ok) {
    throw SpecError(f.path_of(key), "\"" + value +
                                        "\" is not a schema name (letters, digits and _, at most "
                                        "63 characters, not starting with a digit)");
  }
}

// An environment variable name the operator chose for a Secret key.
std::string env_name(const JsonFields& f, const std::string& key, bool required) {
  auto value = required ? f.required_string(key) : f.optional_string(key).value_or("");
  if (!value.empty() &&
      value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos) {
    throw SpecError(f.path_of(key), "\"" + value + "\" is not an environment variable name");
  }
  return value;
}

// The state store of `target`: its schema (prefix + target) and who may read its manifest.
StateSpec parse_state(const JsonFields& f, const std::string& target) {
  f.only({"schema", "manifestReaders"});
  StateSpec state;
  state.base = f.optional_string("schema").value_or(state.base);
  check_identifier(f, "schema", state.base);
  state.schema = state.schema_of(target);
  if (state.schema.size() > 63) {
    throw SpecError(f.path_of("schema"),
                    "\"" + state.base + "\" with target \"" + target +
                        "\" makes the state schema " + state.schema +
                        ", longer than PostgreSQL's 63 characters; use a shorter state schema "
                        "or target name");
  }
  state.manifest_readers = f.optional_words("manifestReaders");
  return state;
}

DeploymentSpec parse_deployment(const JsonFields& f) {
  f.only({"strategy", "keepPrevious"});
  DeploymentSpec d;
  auto strategy = f.optional_string("strategy").value_or("Direct");
  if (strategy == "Direct") {
    d.strategy = DeploymentSpec::Strategy::Direct;
  } else if (strategy == "BlueGreen") {
    d.strategy = DeploymentSpec::Strategy::BlueGreen;
  } else {
    throw SpecError(f.path_of("strategy"), "\"" + strategy + "\" is not one of Direct, BlueGreen");
  }
  d.keep_previous = f.optional_bool("keepPrevious").value_or(true);
  return d;
}

AnomalySpec parse_anomalies(const JsonFields& f) {
  f.only({"rowCountFactor", "durationFactor", "historyRuns"});
  AnomalySpec a;
  a.row_count_factor = f.optional_number("rowCountFactor", 1.5, 1e6).value_or(a.row_count_factor);
  a.duration_factor = f.optional_number("durationFactor", 1.5, 1e6).value_or(a.duration_factor);
  a.history_runs =
      static_cast<int>(f.optional_int("historyRuns", 3, 1000).value_or(a.history_runs));
  return a;
}

NotificationSpec::Event parse_event(const std::string& path, const std::string& name) {
  using Event = NotificationSpec::Event;
  static const std::pair<const char*, Event> kEvents[] = {{"failure", Event::Failure},
                                                          {"success", Event::Success},
                                                          {"testFailure", Event::TestFailure},
                                                          {"freshnessWarn", Event::FreshnessWarn},
                                                          {"anomaly", Event::Anomaly}};
  for (const auto& [text, event] : kEvents) {
    if (name == text) return event;
  }
  throw SpecError(path, "\"" + name +
                            "\" is not one of failure, success, testFailure, freshnessWarn, "
                            "anomaly");
}

NotificationSpec parse_notification(const JsonFields& f) {
  f.only({"events", "slack", "email", "webhook"});
  NotificationSpec n;
  if (f.has("events")) {
    n.events.clear();
    auto words = f.optional_words("events");
    for (size_t i = 0; i < words.size(); ++i) {
      n.events.push_back(
          parse_event(f.path_of("events") + "[" + std::to_string(i) + "]", words[i]));
    }
  }
  int channels = 0;
  if (f.has("slack")) {
    auto s = f.object("slack");
    s.only({"urlEnv", "channel"});
    n.slack = NotificationSpec::Slack{env_name(s, "urlEnv", true),
                                      s.optional_string("channel").value_or("")};
    ++channels;
  }
  if (f.has("email")) {
    auto e = f.object("email");
    e.only({"smtpEnvPrefix", "to"});
    n.email = NotificationSpec::Email{env_name(e, "smtpEnvPrefix", true), e.optional_words("to")};
    if (n.email->to.empty()) throw SpecError(e.path_of("to"), "needs at least one address");
    ++channels;
  }
  if (f.has("webhook")) {
    auto w = f.object("webhook");
    w.only({"urlEnv", "hmacEnv"});
    n.webhook =
        NotificationSpec::Webhook{env_name(w, "urlEnv", true), env_name(w, "hmacEnv", false)};
    ++channels;
  }
  if (channels != 1) throw SpecError(f.path(), "set exactly one of slack, email or webhook");
  return n;
}

}  // namespace

std::vector<std::string> command_words(const std::string& command) {
  std::vector<std::string> words;
  std::istringstream in(command);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

RunSpec parse_run_spec(const std::string& text) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw SpecError("run spec", std::string("is not valid JSON (") + e.what() + ")");
  }
  return parse_run_spec(document);
}

RunSpec parse_run_spec(const nlohmann::json& document) {
  JsonFields f(document, "");
  f.only({"run",
          "project",
          "profile",
          "source",
          "target",
          "commands",
          "select",
          "dbtEnv",
          "exclude",
          "selector",
          "vars",
          "fullRefresh",
          "timeoutSeconds",
          "cancelGraceSeconds",
          "retries",
          "lockWaitSeconds",
          "schema",
          "keepSchema",
          "state",
          "defer",
          "deployment",
          "anomalies",
          "notifications"});
  RunSpec spec;
  if (f.has("run")) {
    auto r = f.object("run");
    r.only({"namespace", "name", "uid", "jobName", "createIfMissing"});
    RunRef ref;
    ref.namespace_name = r.required_string("namespace");
    ref.name = r.required_string("name");
    check_resource_name(r, "name", ref.name);
    ref.uid = r.optional_string("uid").value_or("");
    ref.job_name = r.optional_string("jobName").value_or("");
    ref.create_if_missing = r.optional_bool("createIfMissing").value_or(false);
    if (ref.create_if_missing && ref.job_name.empty()) {
      throw SpecError(r.path_of("jobName"), "is required when createIfMissing is true");
    }
    spec.run = ref;
  }
  spec.project = f.optional_string("project").value_or("");
  spec.profile = f.required_string("profile");
  if (!f.has("source")) throw SpecError("source", "is required");
  spec.source = parse_source(f.object("source"));
  if (!f.has("target")) throw SpecError("target", "is required");
  auto target = f.object("target");
  spec.target = parse_target(target, target.required_string("name"));

  if (f.has("commands")) {
    const auto& commands = *f.find("commands");
    if (!commands.is_array() || commands.empty()) {
      throw SpecError("commands", "must be a non-empty list of dbt commands");
    }
    spec.commands.clear();
    for (size_t i = 0; i < commands.size(); ++i) {
      std::string field = "commands[" + std::to_string(i) + "]";
      if (!commands[i].is_string()) throw SpecError(field, "must be a string");
      auto words = command_words(commands[i].get<std::string>());
      std::string normalized;
      for (const auto& w : words) normalized += (normalized.empty() ? "" : " ") + w;
      if (std::find(kCommands.begin(), kCommands.end(), normalized) == kCommands.end()) {
        throw SpecError(field, "\"" + commands[i].get<std::string>() +
                                   "\" is not a command the runner runs (build, run, test, seed, "
                                   "snapshot, source freshness, docs generate, compile)");
      }
      spec.commands.push_back(normalized);
    }
  }
  spec.select = f.optional_words("select");
  if (f.has("dbtEnv")) {
    auto names = f.optional_words("dbtEnv");
    spec.dbt_env = std::set<std::string>(names.begin(), names.end());
  }
  spec.exclude = f.optional_words("exclude");
  spec.selector = f.optional_string("selector").value_or("");
  if (const auto* vars = f.find("vars")) {
    if (!vars->is_object()) throw SpecError("vars", "must be an object of dbt vars");
    spec.vars = *vars;
  }
  spec.full_refresh = f.optional_bool("fullRefresh").value_or(false);
  if (auto t = f.optional_int("timeoutSeconds", 1, 7 * 24 * 3600))
    spec.timeout = std::chrono::seconds(*t);
  spec.cancel_grace =
      std::chrono::seconds(f.optional_int("cancelGraceSeconds", 1, 600).value_or(10));
  if (spec.timeout && spec.cancel_grace >= *spec.timeout) {
    throw SpecError("cancelGraceSeconds", "must be shorter than timeoutSeconds");
  }
  spec.retries = parse_retries(f.object("retries"));
  spec.lock_wait =
      std::chrono::seconds(f.optional_int("lockWaitSeconds", 0, 24 * 3600).value_or(600));

  if (auto schema = f.optional_string("schema")) {
    check_identifier(f, "schema", *schema);
    if (spec.target.is_protected) {
      throw SpecError("schema", "target \"" + spec.target.name +
                                    "\" is protected; a run may not override its schema");
    }
    spec.schema = *schema;
  }
  spec.keep_schema = f.optional_bool("keepSchema").value_or(false);
  spec.state = parse_state(f.object("state"), spec.target.name);
  if (f.has("defer")) {
    auto d = f.object("defer");
    d.only({"to"});
    spec.defer = DeferSpec{d.required_string("to")};
    if (spec.defer->to == spec.target.name && !spec.schema) {
      throw SpecError(d.path_of("to"), "defers to the run's own target \"" + spec.target.name +
                                           "\"; defer to another target, such as prod");
    }
  }
  spec.deployment = parse_deployment(f.object("deployment"));
  if (spec.deployment.strategy == DeploymentSpec::Strategy::BlueGreen) {
    if (!spec.select.empty() || !spec.exclude.empty() || !spec.selector.empty()) {
      throw SpecError("deployment.strategy",
                      "BlueGreen builds every model into staging schemas before the swap; remove "
                      "select, exclude and selector, or use the Direct strategy");
    }
    if (spec.defer) {
      throw SpecError("deployment.strategy",
                      "BlueGreen cannot be combined with defer; a blue-green run builds the whole "
                      "project");
    }
  }
  spec.anomalies = parse_anomalies(f.object("anomalies"));
  if (const auto* notifications = f.find("notifications")) {
    if (!notifications->is_array()) throw SpecError("notifications", "must be a list");
    for (size_t i = 0; i < notifications->size(); ++i) {
      spec.notifications.push_back(parse_notification(
          JsonFields((*notifications)[i], "notifications[" + std::to_string(i) + "]")));
    }
  }
  return spec;
}

TargetSpec run_target(const RunSpec& spec) {
  TargetSpec target = spec.target;
  if (spec.schema) target.schema = *spec.schema;
  return target;
}

}  // namespace kubedbt::runner
