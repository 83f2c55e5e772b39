// RunStatus -> api::DbtRunStatus, bounded as the API bounds it.
#include "runner/report/cluster/dbtrun_status.h"

#include "api/duration.h"

namespace kubedbt::runner {
namespace {

api::Timestamp to_timestamp(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

api::RunPhase to_api(Phase phase) {
  switch (phase) {
    case Phase::Pending:
      return api::RunPhase::Pending;
    case Phase::Running:
      return api::RunPhase::Running;
    case Phase::Succeeded:
      return api::RunPhase::Succeeded;
    case Phase::Failed:
      return api::RunPhase::Failed;
    case Phase::TimedOut:
      return api::RunPhase::TimedOut;
    case Phase::Cancelled:
      return api::RunPhase::Cancelled;
  }
  return api::RunPhase::Pending;
}

}  // namespace

api::DbtRunStatus to_dbt_run_status(const RunStatus& s, const std::string& target,
                                    const std::string& job_name) {
  api::DbtRunStatus out;
  out.phase = to_api(s.phase);
  out.target = target;
  if (!job_name.empty()) out.job_name = job_name;
  out.start_time = to_timestamp(s.start_time);
  if (s.completion_time) {
    out.completion_time = to_timestamp(*s.completion_time);
    out.duration = api::format_duration(*out.completion_time - *out.start_time);
  }
  out.attempts = s.attempts;
  api::Progress progress;
  progress.done = s.progress.done;
  progress.total = s.progress.total;
  if (!s.progress.current.empty()) progress.current = s.progress.current;
  out.progress = progress;
  api::RunSummary summary;
  summary.models = {s.summary.models.success, s.summary.models.error, s.summary.models.skipped};
  summary.tests = {s.summary.tests.pass, s.summary.tests.fail, s.summary.tests.warn,
                   s.summary.tests.error};
  summary.freshness = {s.summary.freshness.pass, s.summary.freshness.warn,
                       s.summary.freshness.error};
  summary.rows_affected = s.summary.rows_affected;
  out.summary = summary;
  for (const auto& f : s.summary.failures) {
    if (out.failures.size() == api::kMaxFailures) break;
    out.failures.push_back({f.node, f.message.substr(0, api::kMaxMessageLength)});
  }
  for (const auto& d : s.summary.slowest) {
    if (out.slowest.size() == api::kMaxSlowest) break;
    out.slowest.push_back({d.node, d.seconds});
  }
  if (!s.commit_sha.empty()) out.commit_sha = s.commit_sha;
  if (!s.dbt_version.empty()) out.dbt_version = s.dbt_version;
  if (!s.message.empty()) out.message = s.message.substr(0, api::kMaxMessageLength);
  for (const auto& a : s.anomalies) {
    if (out.anomalies.size() == api::kMaxAnomalies) break;
    api::RunAnomaly anomaly;
    anomaly.kind =
        a.kind == Anomaly::Kind::RowCount ? api::AnomalyKind::RowCount : api::AnomalyKind::Duration;
    if (!a.node.empty()) anomaly.node = a.node;
    anomaly.message = a.message.substr(0, api::kMaxMessageLength);
    out.anomalies.push_back(std::move(anomaly));
  }
  if (s.stored) {
    out.artifacts =
        api::ArtifactLocation{s.stored->database, s.stored->schema, s.stored->invocation_id};
  }
  if (s.deferral) out.deferral = api::DeferralStatus{s.deferral->to, s.deferral->manifest_found};
  if (s.deployment) {
    out.deployment =
        api::DeploymentStatus{s.deployment->swapped, s.deployment->schemas, s.deployment->previous};
  }
  for (const auto& n : s.notifications) {
    api::NotificationDelivery d;
    d.index = static_cast<std::int64_t>(n.index);
    d.kind = n.kind;
    d.events = n.events;
    d.delivered = n.delivered;
    d.attempts = n.attempts;
    if (!n.detail.empty()) d.message = n.detail.substr(0, api::kMaxMessageLength);
    out.notifications.push_back(std::move(d));
  }
  if (s.completion_time) {
    auto now = to_timestamp(*s.completion_time);
    bool ok = s.phase == Phase::Succeeded;
    api::set_condition(out.conditions,
                       {std::string(api::condition_type::kComplete), api::ConditionStatus::True,
                        to_string(s.phase), out.message.value_or(""), 0, now},
                       now);
    api::set_condition(out.conditions,
                       {std::string(api::condition_type::kSucceeded),
                        ok ? api::ConditionStatus::True : api::ConditionStatus::False,
                        to_string(s.phase), out.message.value_or(""), 0, now},
                       now);
  }
  return out;
}

api::DbtRun dbt_run_for_job(const RunSpec& spec, const std::string& job_uid) {
  const auto& run = *spec.run;
  api::DbtRun r;
  r.metadata.name = run.name;
  r.metadata.namespace_ = run.namespace_name;
  r.metadata.labels["kubedbt.io/job"] = run.job_name;
  r.metadata.other["ownerReferences"] = nlohmann::json::array({{{"apiVersion", "batch/v1"},
                                                                {"kind", "Job"},
                                                                {"name", run.job_name},
                                                                {"uid", job_uid},
                                                                {"controller", true}}});
  r.spec.project_ref.name = spec.project;
  r.spec.target = spec.target.name;
  r.spec.invocation.commands = spec.commands;
  r.spec.invocation.select = spec.select;
  r.spec.invocation.exclude = spec.exclude;
  if (!spec.selector.empty()) r.spec.invocation.selector = spec.selector;
  if (!spec.vars.empty()) r.spec.invocation.vars = spec.vars;
  r.spec.invocation.full_refresh = spec.full_refresh;
  r.spec.retries.limit = spec.retries.limit;
  r.spec.retries.strategy = spec.retries.strategy == RetrySpec::Strategy::FromFailure
                                ? api::RetryStrategy::FromFailure
                                : api::RetryStrategy::FromStart;
  r.spec.retries.on_test_failure = spec.retries.on_test_failure;
  r.spec.deployment.strategy = spec.deployment.strategy == DeploymentSpec::Strategy::BlueGreen
                                   ? api::DeploymentStrategy::BlueGreen
                                   : api::DeploymentStrategy::Direct;
  r.spec.deployment.keep_previous = spec.deployment.keep_previous;
  return r;
}

}  // namespace kubedbt::runner
