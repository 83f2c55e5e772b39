// Names of the run phases.
#include "runner/status/run_status.h"

namespace kubedbt::runner {

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::Pending:
      return "Pending";
    case Phase::Running:
      return "Running";
    case Phase::Succeeded:
      return "Succeeded";
    case Phase::Failed:
      return "Failed";
    case Phase::TimedOut:
      return "TimedOut";
    case Phase::Cancelled:
      return "Cancelled";
  }
  return "Pending";
}

}  // namespace kubedbt::runner
