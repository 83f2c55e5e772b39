// Human lines prefixed "kubedbt:", so they stand apart from dbt's own output.
#include "runner/report/console_status_reporter.h"

#include "runner/status/run_message.h"

namespace kubedbt::runner {

ConsoleStatusReporter::ConsoleStatusReporter(std::ostream& out)
    : out_(out), throttle_(std::chrono::seconds(2)) {}

void ConsoleStatusReporter::started(const RunStatus&) {
  out_ << "kubedbt: run started\n" << std::flush;
}

void ConsoleStatusReporter::progressed(const RunStatus& s) {
  if (s.progress.total == 0 || !throttle_.pass()) return;
  out_ << "kubedbt: " << s.command << " " << s.progress.done << "/" << s.progress.total;
  if (!s.progress.current.empty()) out_ << ", running " << display_name(s.progress.current);
  out_ << "\n" << std::flush;
}

void ConsoleStatusReporter::finished(const RunStatus& s) {
  const auto& m = s.summary;
  out_ << "kubedbt: " << to_string(s.phase) << " after " << s.attempts << " dbt invocation"
       << (s.attempts == 1 ? "" : "s") << ": models " << m.models.success << " ok, "
       << m.models.error << " error, " << m.models.skipped << " skipped; tests " << m.tests.pass
       << " pass, " << m.tests.fail << " fail, " << m.tests.warn << " warn, " << m.tests.error
       << " error\n";
  out_ << "kubedbt: " << s.message << "\n" << std::flush;
}

void ConsoleStatusReporter::notified(const RunStatus& s) {
  for (const auto& n : s.notifications) {
    out_ << "kubedbt: notification " << n.index << " (" << n.kind << ") "
         << (n.delivered ? "delivered" : "not delivered") << (n.detail.empty() ? "" : ": ")
         << n.detail << "\n";
  }
  out_ << std::flush;
}

}  // namespace kubedbt::runner
