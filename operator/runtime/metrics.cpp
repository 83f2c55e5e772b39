// Metrics: counters under one mutex, rendered by hand in the Prometheus text format.
#include "operator/runtime/metrics.h"

#include <sstream>

namespace kubedbt::op {

void Metrics::observe_reconcile(const std::string& kind, const std::string& result,
                                std::chrono::duration<double> duration) {
  std::lock_guard lock(mutex_);
  ++reconciles_[{kind, result}];
  auto& t = durations_[kind];
  t.sum += duration.count();
  ++t.count;
}

void Metrics::set_gauge_source(std::function<std::string()> source) {
  std::lock_guard lock(mutex_);
  gauges_ = std::move(source);
}

void Metrics::count_finished_run(const RunAnomalies& run) {
  std::lock_guard lock(mutex_);
  if (!counted_runs_.insert(run.uid).second) return;
  for (const auto& kind : run.kinds) {
    ++anomalies_[{run.namespace_name, run.project, run.target, kind}];
  }
}

void Metrics::forget_run(const std::string& uid) {
  std::lock_guard lock(mutex_);
  counted_runs_.erase(uid);
}

std::uint64_t Metrics::reconciles(const std::string& kind) const {
  std::lock_guard lock(mutex_);
  std::uint64_t n = 0;
  for (const auto& [key, count] : reconciles_) {
    if (key.first == kind) n += count;
  }
  return n;
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::function<std::string()> gauges;
  {
    std::lock_guard lock(mutex_);
    out << "# HELP kubedbt_reconciles_total Reconciles by kind and result.\n"
        << "# TYPE kubedbt_reconciles_total counter\n";
    for (const auto& [key, count] : reconciles_) {
      out << "kubedbt_reconciles_total{kind=\"" << key.first << "\",result=\"" << key.second
          << "\"} " << count << "\n";
    }
    out << "# HELP kubedbt_reconcile_errors_total Reconciles that failed, by kind.\n"
        << "# TYPE kubedbt_reconcile_errors_total counter\n";
    for (const auto& [kind, timing] : durations_) {
      auto it = reconciles_.find({kind, "error"});
      out << "kubedbt_reconcile_errors_total{kind=\"" << kind << "\"} "
          << (it == reconciles_.end() ? 0 : it->second) << "\n";
    }
    out << "# HELP kubedbt_reconcile_duration_seconds Time spent reconciling, by kind.\n"
        << "# TYPE kubedbt_reconcile_duration_seconds summary\n";
    for (const auto& [kind, timing] : durations_) {
      out << "kubedbt_reconcile_duration_seconds_sum{kind=\"" << kind << "\"} " << timing.sum
          << "\n"
          << "kubedbt_reconcile_duration_seconds_count{kind=\"" << kind << "\"} " << timing.count
          << "\n";
    }
    out << "# HELP kubedbt_run_anomalies_total Anomalies of finished runs (row count, duration), "
           "counted once per run.\n"
        << "# TYPE kubedbt_run_anomalies_total counter\n";
    for (const auto& [key, count] : anomalies_) {
      out << "kubedbt_run_anomalies_total{namespace=\"" << key[0] << "\",project=\"" << key[1]
          << "\",target=\"" << key[2] << "\",kind=\"" << key[3] << "\"} " << count << "\n";
    }
    gauges = gauges_;
  }
  if (gauges) out << gauges();
  return out.str();
}

}  // namespace kubedbt::op
