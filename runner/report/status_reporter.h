// Where the run's status goes: DbtRun.status in the cluster, or the terminal in local mode.
#pragma once

#include "runner/status/run_status.h"

namespace kubedbt::runner {

class StatusReporter {
 public:
  virtual ~StatusReporter() = default;
  // The run started (phase Running). Called once, before any progress.
  virtual void started(const RunStatus& status) = 0;
  // Progress moved; implementations throttle as they need.
  virtual void progressed(const RunStatus& status) = 0;
  // The final status. Called once.
  virtual void finished(const RunStatus& status) = 0;
  // After finished(), when notifications were sent: status.notifications says which arrived.
  virtual void notified(const RunStatus& status) = 0;
};

}  // namespace kubedbt::runner
