// The runner's notification step.
#include "runner/alerts/run_notifications.h"

#include "common/log.h"
#include "runner/status/run_message.h"

namespace kubedbt::runner {
namespace {

notify::Event to_notify(NotificationSpec::Event e) {
  switch (e) {
    case NotificationSpec::Event::Failure:
      return notify::Event::Failure;
    case NotificationSpec::Event::Success:
      return notify::Event::Success;
    case NotificationSpec::Event::TestFailure:
      return notify::Event::TestFailure;
    case NotificationSpec::Event::FreshnessWarn:
      return notify::Event::FreshnessWarn;
    case NotificationSpec::Event::Anomaly:
      return notify::Event::Anomaly;
  }
  return notify::Event::Failure;
}

}  // namespace

notify::RunOutcome notification_outcome(const RunSpec& spec, const RunStatus& status) {
  notify::RunOutcome o;
  o.project = spec.project.empty() ? spec.profile : spec.project;
  o.target = spec.target.name;
  if (spec.run) {
    o.run_namespace = spec.run->namespace_name;
    o.run_name = spec.run->name;
  }
  o.phase = to_string(status.phase);
  o.message = status.message;
  const auto& s = status.summary;
  o.counts.models = {s.models.success, s.models.error, s.models.skipped};
  o.counts.tests = {s.tests.pass, s.tests.fail, s.tests.warn, s.tests.error};
  o.counts.freshness = {s.freshness.pass, s.freshness.warn, s.freshness.error};
  o.counts.rows_affected = s.rows_affected;
  for (const auto& f : s.failures) o.failures.push_back({f.node, display_name(f.node), f.message});
  for (const auto& a : status.anomalies) {
    o.anomalies.push_back(
        {a.kind == Anomaly::Kind::RowCount ? "RowCount" : "Duration", a.node, a.message});
  }
  return o;
}

std::vector<notify::Destination> notification_destinations(const RunSpec& spec) {
  std::vector<notify::Destination> destinations;
  for (const auto& n : spec.notifications) {
    notify::Destination d;
    d.events.clear();
    for (auto e : n.events) d.events.push_back(to_notify(e));
    if (n.slack) {
      d.channel = notify::SlackDestination{n.slack->url_env, n.slack->channel};
    } else if (n.email) {
      d.channel = notify::EmailDestination{n.email->smtp_env_prefix, n.email->to};
    } else if (n.webhook) {
      d.channel = notify::WebhookDestination{n.webhook->url_env, n.webhook->hmac_env};
    }
    destinations.push_back(std::move(d));
  }
  return destinations;
}

std::vector<NotificationDelivery> send_notifications(const RunSpec& spec, const RunStatus& status,
                                                     const Environment& env) {
  if (spec.notifications.empty()) return {};
  try {
    notify::DispatchOptions options;
    if (status.phase == Phase::Cancelled) {
      options.run_budget = std::chrono::seconds(10);
      options.policy.attempt_timeout = std::chrono::seconds(5);
    }
    std::vector<NotificationDelivery> deliveries;
    for (auto& r : notify::dispatch(notification_destinations(spec),
                                    notification_outcome(spec, status), env, options)) {
      NotificationDelivery d{r.index, r.kind, {}, r.delivered, r.attempts, std::move(r.detail)};
      for (auto e : r.events) d.events.emplace_back(notify::to_string(e));
      deliveries.push_back(std::move(d));
    }
    return deliveries;
  } catch (const std::exception& e) {
    log::error("notifications not sent; the run's outcome is unchanged", {{"error", e.what()}});
    return {};
  }
}

}  // namespace kubedbt::runner
