// StatusReporter, where the run's status goes, and StatusReporters, which fans out to several.
#pragma once

#include <memory>
#include <vector>

#include "runner/status/run_status.h"

namespace kubedbt::runner {

// DbtRun.status in the cluster, a file, or the terminal in local mode.
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

// Status fan-out to several reporters.
class StatusReporters : public StatusReporter {
 public:
  void add(std::unique_ptr<StatusReporter> reporter) { reporters_.push_back(std::move(reporter)); }
  void started(const RunStatus& s) override {
    for (auto& r : reporters_) r->started(s);
  }
  void progressed(const RunStatus& s) override {
    for (auto& r : reporters_) r->progressed(s);
  }
  void finished(const RunStatus& s) override {
    for (auto& r : reporters_) r->finished(s);
  }
  void notified(const RunStatus& s) override {
    for (auto& r : reporters_) r->notified(s);
  }

 private:
  std::vector<std::unique_ptr<StatusReporter>> reporters_;
};

}  // namespace kubedbt::runner
