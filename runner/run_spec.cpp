// Parsing and validation of the run spec: every error names the field and what is expected.
#include "runner/run_spec.h"

#include <algorithm>
#include <array>
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
    g.only({"url", "ref", "path", "token", "sshKey", "secretRef"});
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
  f.only({"run", "project", "profile", "source", "target", "commands", "select", "exclude",
          "selector", "vars", "fullRefresh", "timeoutSeconds", "cancelGraceSeconds", "retries",
          "lockWaitSeconds"});
  RunSpec spec;
  if (f.has("run")) {
    auto r = f.object("run");
    r.only({"namespace", "name", "jobName", "createIfMissing"});
    RunRef ref;
    ref.namespace_name = r.required_string("namespace");
    ref.name = r.required_string("name");
    check_resource_name(r, "name", ref.name);
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
  return spec;
}

}  // namespace kubedbt::runner
