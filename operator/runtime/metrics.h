// Prometheus metrics of the operator: reconciles, durations and errors by kind, plus gauges
// computed at scrape time (queue depth, runs by phase, last success, test failures and source
// freshness per schedule), and anomalies of finished runs.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace kubedbt::op {

class Metrics {
 public:
  // `result` is "success", "requeue" (stale view) or "error".
  void observe_reconcile(const std::string& kind, const std::string& result,
                         std::chrono::duration<double> duration);
  void count_api_write(const std::string& verb);
  // A finished run's anomalies, counted once per run (by uid) in kubedbt_run_anomalies_total;
  // forget_run drops the uid when the run is deleted.
  struct RunAnomalies {
    std::string uid, namespace_name, project, target;
    std::vector<std::string> kinds;  // one entry per anomaly: RowCount or Duration
  };
  void count_finished_run(const RunAnomalies& run);
  void forget_run(const std::string& uid);
  // Text appended at scrape time by the controller (gauges read from its caches).
  void set_gauge_source(std::function<std::string()> source);
  // The whole exposition, in Prometheus text format 0.0.4.
  std::string render() const;

  std::uint64_t reconciles(const std::string& kind) const;

 private:
  struct Timing {
    double sum = 0;
    std::uint64_t count = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> reconciles_;
  std::map<std::string, Timing> durations_;
  std::set<std::string> counted_runs_;
  // {namespace, project, target, kind} -> anomalies
  std::map<std::array<std::string, 4>, std::uint64_t> anomalies_;
  std::function<std::string()> gauges_;
};

}  // namespace kubedbt::op
