// Run spec: project source + resolved target + what to run; secrets appear only as env var names.
#include "operator/children/run_spec_builder.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "api/duration.h"
#include "operator/children/child_names.h"
#include "operator/children/notification_env.h"

namespace kubedbt::op {
namespace {

const std::string kJobNameRef = "$(" + std::string(kJobNameEnv) + ")";

nlohmann::json target_json(const std::string& name, const api::Target& t,
                           const std::optional<std::int32_t>& threads) {
  nlohmann::json out = {{"name", name},
                        {"type", std::string(api::to_string(t.type))},
                        {"host", t.host},
                        {"port", t.port},
                        {"user", t.user},
                        {"dbname", t.database},
                        {"schema", t.schema},
                        {"threads", threads.value_or(t.threads)},
                        {"sslmode", std::string(api::to_string(t.sslmode))},
                        {"passwordEnv", password_env_name(name)},
                        {"protected", t.is_protected}};
  if (t.extra.is_object() && !t.extra.empty()) out["extra"] = t.extra;
  return out;
}

// The database users of the project's other targets, each once: a run lets them read its
// production manifest (what their deferred runs read) and nothing else of its state.
std::vector<std::string> manifest_readers(const api::DbtProject& project, const std::string& user) {
  std::set<std::string> readers;
  for (const auto& [name, target] : project.spec.targets) {
    if (target.user != user) readers.insert(target.user);
  }
  return {readers.begin(), readers.end()};
}

}  // namespace

RunInputs run_inputs(const api::DbtRun& run, const std::string& target_name) {
  RunInputs in;
  in.namespace_name = run.metadata.namespace_;
  in.run_name = run.metadata.name;
  in.run_uid = run.metadata.uid;
  in.job_name = job_name_of(run);
  in.target_name = target_name;
  if (run.spec.source) in.source_ref = run.spec.source->ref;
  in.invocation = run.spec.invocation;
  in.timeout = run.spec.timeout;
  in.retries = run.spec.retries;
  in.schema = run.spec.schema;
  in.keep_schema = run.spec.keep_schema;
  if (run.spec.defer) in.defer_to = run.spec.defer->to;
  in.deployment = run.spec.deployment;
  return in;
}

RunInputs schedule_run_inputs(const api::DbtSchedule& schedule, const std::string& target_name) {
  RunInputs in;
  in.namespace_name = schedule.metadata.namespace_;
  in.run_name = kJobNameRef;
  in.job_name = kJobNameRef;
  in.create_if_missing = true;
  in.target_name = target_name;
  in.invocation = schedule.spec.invocation;
  in.timeout = schedule.spec.timeout;
  in.retries = schedule.spec.retries;
  in.deployment = schedule.spec.deployment;
  return in;
}

Deadlines split_timeout(const std::optional<std::string>& timeout) {
  Deadlines d;
  if (!timeout) return d;
  auto parsed = api::parse_duration(*timeout);
  if (!parsed || parsed->count() <= 0) return d;
  std::int64_t total = parsed->count();
  d.job_active_deadline_seconds = total;
  // Reserve a tenth (1-30 s) for the runner to write its final status before the Job is killed.
  std::int64_t reserve = std::clamp<std::int64_t>(total / 10, 1, 30);
  std::int64_t runner = total - reserve;
  if (runner >= 2) {
    d.runner_timeout_seconds = runner;
    d.runner_cancel_grace_seconds = std::min<std::int64_t>(10, runner - 1);
  }
  return d;
}

nlohmann::json build_run_spec(const api::DbtProject& project, const RunInputs& in) {
  auto target = project.spec.targets.find(in.target_name);
  if (target == project.spec.targets.end()) {
    throw std::invalid_argument("target \"" + in.target_name + "\" is not defined in DbtProject " +
                                project.metadata.name);
  }
  nlohmann::json spec;
  spec["run"] = {{"namespace", in.namespace_name},
                 {"name", in.run_name},
                 {"jobName", in.job_name},
                 {"createIfMissing", in.create_if_missing}};
  if (!in.run_uid.empty()) spec["run"]["uid"] = in.run_uid;
  spec["project"] = project.metadata.name;
  spec["profile"] = project.spec.profile;
  const auto& source = project.spec.source;
  if (source.git) {
    nlohmann::json git = {{"url", source.git->url}};
    if (in.source_ref) {
      git["ref"] = *in.source_ref;
    } else if (source.git->ref) {
      git["ref"] = *source.git->ref;
    }
    if (!source.git->path.empty() && source.git->path != ".") git["path"] = source.git->path;
    spec["source"] = {{"git", git}};
  } else {
    spec["source"] = {{"path", source.image ? source.image->path : api::ImageSource{}.path}};
  }
  spec["target"] = target_json(target->first, target->second, in.invocation.threads);
  spec["commands"] = in.invocation.commands;
  if (!in.invocation.select.empty()) spec["select"] = in.invocation.select;
  if (!in.invocation.exclude.empty()) spec["exclude"] = in.invocation.exclude;
  if (in.invocation.selector) spec["selector"] = *in.invocation.selector;
  if (in.invocation.vars.is_object() && !in.invocation.vars.empty()) {
    spec["vars"] = in.invocation.vars;
  }
  if (in.invocation.full_refresh) spec["fullRefresh"] = true;
  // The variables dbt may read beyond its own: those the project declares for it.
  auto dbt_env = nlohmann::json::array();
  for (const auto* vars : {&project.spec.env, &target->second.env}) {
    for (const auto& v : *vars) dbt_env.push_back(v.name);
  }
  spec["dbtEnv"] = dbt_env;
  auto deadlines = split_timeout(in.timeout);
  if (deadlines.runner_timeout_seconds) {
    spec["timeoutSeconds"] = *deadlines.runner_timeout_seconds;
    spec["cancelGraceSeconds"] = *deadlines.runner_cancel_grace_seconds;
  }
  spec["retries"] = {{"limit", in.retries.limit},
                     {"strategy", std::string(api::to_string(in.retries.strategy))},
                     {"onTestFailure", in.retries.on_test_failure}};
  if (in.schema) {
    spec["schema"] = *in.schema;
    spec["keepSchema"] = in.keep_schema;
  }
  spec["state"] = {{"schema", project.spec.state.schema},
                   {"manifestReaders", manifest_readers(project, target->second.user)}};
  if (in.defer_to) spec["defer"] = {{"to", *in.defer_to}};
  spec["deployment"] = {{"strategy", std::string(api::to_string(in.deployment.strategy))},
                        {"keepPrevious", in.deployment.keep_previous}};
  const auto& anomalies = project.spec.anomalies;
  spec["anomalies"] = {{"rowCountFactor", anomalies.row_count_factor},
                       {"durationFactor", anomalies.duration_factor},
                       {"historyRuns", anomalies.history_runs}};
  if (!project.spec.notifications.empty()) {
    auto& notifications = spec["notifications"] = nlohmann::json::array();
    for (std::size_t i = 0; i < project.spec.notifications.size(); ++i) {
      notifications.push_back(notification_run_spec(project.spec.notifications[i], i));
    }
  }
  return spec;
}

std::string run_spec_env_value(const nlohmann::json& run_spec) {
  std::string text = run_spec.dump();
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, kJobNameRef.size(), kJobNameRef) == 0) {
      out += kJobNameRef;
      i += kJobNameRef.size() - 1;
    } else if (text[i] == '$') {
      out += "$$";
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace kubedbt::op
