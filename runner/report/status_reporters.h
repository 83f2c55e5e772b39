// Status fan-out to several reporters, and the reporter that patches a DbtRun in the cluster.
#pragma once

#include <memory>
#include <vector>

#include "runner/report/status_reporter.h"
#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

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

// The DbtRun reporter of spec.run (kube client from $KUBECONFIG or the pod's service account).
std::unique_ptr<StatusReporter> make_dbt_run_reporter(const RunSpec& spec);

}  // namespace kubedbt::runner
