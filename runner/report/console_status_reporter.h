// Local mode's status: progress and the final sentence on the terminal (stderr).
#pragma once

#include <ostream>

#include "runner/os/throttle.h"
#include "runner/report/status_reporter.h"

namespace kubedbt::runner {

class ConsoleStatusReporter : public StatusReporter {
 public:
  explicit ConsoleStatusReporter(std::ostream& out);
  void started(const RunStatus& status) override;
  void progressed(const RunStatus& status) override;
  void finished(const RunStatus& status) override;
  void notified(const RunStatus& status) override;

 private:
  std::ostream& out_;
  Throttle throttle_;
};

}  // namespace kubedbt::runner
