// Pure comparisons; the messages name the node, what was observed and the baseline.
#include "runner/state/anomaly_detector.h"

#include <algorithm>
#include <cstdio>

namespace kubedbt::runner {
namespace {

constexpr size_t kMinimumDurationHistory = 3;

bool builds_rows(const NodeRecord& n) {
  return n.status == "success" && n.rows_affected &&
         (n.resource_type == "model" || n.resource_type == "seed" || n.resource_type == "snapshot");
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// The node's rows in the newest baseline run where it succeeded with a known count.
std::optional<int64_t> previous_rows(const std::string& unique_id,
                                     const std::vector<RunRecord>& baseline) {
  for (const auto& run : baseline) {
    for (const auto& n : run.nodes) {
      if (n.unique_id == unique_id && builds_rows(n)) return n.rows_affected;
    }
  }
  return std::nullopt;
}

std::optional<Anomaly> row_count_anomaly(const NodeRecord& node, int64_t previous, double factor) {
  int64_t observed = *node.rows_affected;
  std::string what;
  if (previous > 0 && observed == 0) {
    what = "went to zero";
  } else if (previous > 0 && observed > 0) {
    double ratio = static_cast<double>(observed) / static_cast<double>(previous);
    if (ratio > factor) {
      what = "grew " + number(ratio) + "x";
    } else if (ratio * factor < 1) {
      what = "shrank " + number(1 / ratio) + "x";
    }
  }
  if (what.empty()) return std::nullopt;
  return Anomaly{Anomaly::Kind::RowCount, node.unique_id,
                 node.unique_id + ": " + std::to_string(observed) + " rows affected, " +
                     std::to_string(previous) + " in its previous successful run (" + what +
                     "; threshold " + number(factor) + "x)"};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace

std::vector<Anomaly> detect_anomalies(const RunRecord& run, const std::vector<RunRecord>& baseline,
                                      const AnomalySpec& spec) {
  std::vector<Anomaly> found;
  for (const auto& node : run.nodes) {
    if (!builds_rows(node)) continue;
    auto previous = previous_rows(node.unique_id, baseline);
    if (!previous) continue;
    if (auto a = row_count_anomaly(node, *previous, spec.row_count_factor)) found.push_back(*a);
  }
  if (run.phase == "Succeeded" && baseline.size() >= kMinimumDurationHistory) {
    std::vector<double> durations;
    for (const auto& r : baseline) durations.push_back(r.duration_seconds);
    double typical = median(durations);
    if (typical > 0 && run.duration_seconds > spec.duration_factor * typical) {
      found.push_back(Anomaly{Anomaly::Kind::Duration, "",
                              "the run took " + number(run.duration_seconds) + "s, " +
                                  number(run.duration_seconds / typical) + "x the median of " +
                                  number(typical) + "s over its last " +
                                  std::to_string(baseline.size()) + " successful runs (threshold " +
                                  number(spec.duration_factor) + "x)"});
    }
  }
  return found;
}

}  // namespace kubedbt::runner
