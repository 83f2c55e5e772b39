// Counting rules: models by status; tests and unit tests by status; sources by freshness status;
// rows from models, seeds and snapshots that reported them.
#include "runner/status/run_summary.h"

#include <algorithm>

namespace kubedbt::runner {
namespace {

bool is_failure(const NodeResult& n) {
  return n.status == "error" || n.status == "fail" || n.status == "runtime error" ||
         (n.resource_type == "source" && n.status == "error");
}

}  // namespace

void ResultBook::record(const InvocationResults& results) {
  for (const auto& node : results.nodes) {
    if (!nodes_.count(node.unique_id)) order_.push_back(node.unique_id);
    nodes_[node.unique_id] = node;
  }
}

Summary ResultBook::summary() const {
  Summary s;
  std::vector<NodeDuration> durations;
  for (const auto& id : order_) {
    const auto& n = nodes_.at(id);
    const auto& type = n.resource_type;
    if (type == "model") {
      if (n.status == "success") ++s.models.success;
      if (n.status == "error") ++s.models.error;
      if (n.status == "skipped") ++s.models.skipped;
    } else if (type == "test" || type == "unit_test") {
      if (n.status == "pass") ++s.tests.pass;
      if (n.status == "fail") ++s.tests.fail;
      if (n.status == "warn") ++s.tests.warn;
      if (n.status == "error") ++s.tests.error;
    } else if (type == "source") {
      if (n.status == "pass") ++s.freshness.pass;
      if (n.status == "warn") ++s.freshness.warn;
      if (n.status == "error" || n.status == "runtime error") ++s.freshness.error;
    }
    if ((type == "model" || type == "seed" || type == "snapshot") && n.rows_affected > 0) {
      s.rows_affected += n.rows_affected;
    }
    if (is_failure(n) && s.failures.size() < kMaxFailures) s.failures.push_back({id, n.message});
    if (n.status != "skipped") durations.push_back({id, n.execution_seconds});
  }
  std::stable_sort(durations.begin(), durations.end(),
                   [](const auto& a, const auto& b) { return a.seconds > b.seconds; });
  if (durations.size() > kMaxSlowest) durations.resize(kMaxSlowest);
  s.slowest = std::move(durations);
  return s;
}

}  // namespace kubedbt::runner
