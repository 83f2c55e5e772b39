// Anomalies: a run compared with the recent successful runs of its project and target.
#pragma once

#include <vector>

#include "runner/spec/run_spec.h"
#include "runner/state/run_history.h"
#include "runner/status/run_status.h"

namespace kubedbt::runner {

// A node is flagged when its rows affected went to zero from non-zero, or changed by more than
// spec.row_count_factor either way, against the node's value in the newest baseline run where it
// succeeded. A Succeeded run is flagged when its duration exceeds spec.duration_factor times the
// median duration of the baseline (at least 3 runs). `baseline` is newest first and holds only
// Succeeded runs; only nodes the run itself built successfully (success status, rows known) count.
std::vector<Anomaly> detect_anomalies(const RunRecord& run, const std::vector<RunRecord>& baseline,
                                      const AnomalySpec& spec);

}  // namespace kubedbt::runner
