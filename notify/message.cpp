// Composes the title and body every channel sends.
#include "notify/message.h"

#include <sstream>

namespace kubedbt::notify {
namespace {

// One line of at most `limit` characters: line breaks become spaces, runs of blanks shrink.
std::string one_line(const std::string& text, size_t limit) {
  std::string out;
  bool blank = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c;
  }
  if (out.size() > limit) out = out.substr(0, limit - 3) + "...";
  return out;
}

std::string outcome_words(const std::string& phase) {
  if (phase == "Succeeded") return "succeeded";
  if (phase == "Failed") return "failed";
  if (phase == "TimedOut") return "timed out";
  if (phase == "Cancelled") return "was cancelled";
  return "ended " + phase;
}

std::string counts_line(const RunCounts& c) {
  std::ostringstream s;
  s << "Models: " << c.models.success << " built, " << c.models.error << " errors, "
    << c.models.skipped << " skipped. Tests: " << c.tests.pass << " passed, " << c.tests.fail
    << " failed, " << c.tests.warn << " warned, " << c.tests.error
    << " errors. Freshness: " << c.freshness.pass << " fresh, " << c.freshness.warn << " warned, "
    << c.freshness.error << " stale.";
  return s.str();
}

}  // namespace

std::string event_list(const std::vector<Event>& events) {
  std::string out;
  for (Event e : events) out += (out.empty() ? "" : ", ") + std::string(to_string(e));
  return out;
}

Message compose_message(const RunOutcome& o, const std::vector<Event>& events) {
  Message m;
  bool in_cluster = !o.run_name.empty();
  m.run = in_cluster ? o.run_namespace + "/" + o.run_name : "local run";
  if (in_cluster)
    m.describe_command = "kubectl describe dbtrun -n " + o.run_namespace + " " + o.run_name;
  m.title = "[kubedbt] " + o.project + "/" + o.target + ": " + (in_cluster ? "run " : "") + m.run +
            " " + outcome_words(o.phase) + " (" + event_list(events) + ")";
  for (const auto& f : o.failures) {
    if (m.failures.size() == Message::kMaxFailures) {
      ++m.failures_omitted;
      continue;
    }
    m.failures.push_back({f.node, f.name, one_line(f.message, Message::kMaxFailureMessage)});
  }

  std::ostringstream t;
  t << "Project " << o.project << ", target " << o.target << ", " << (in_cluster ? "DbtRun " : "")
    << m.run << ": " << o.phase << ".\n";
  t << "Events: " << event_list(events) << ".\n";
  if (!o.message.empty()) t << one_line(o.message, 1000) << "\n";
  t << counts_line(o.counts) << "\n";
  if (!m.failures.empty()) {
    t << "\nWhat failed:\n";
    for (const auto& f : m.failures)
      t << "- " << f.name << " (" << f.node << "): " << f.message << "\n";
    if (m.failures_omitted > 0) t << "- and " << m.failures_omitted << " more\n";
  }
  if (!o.anomalies.empty()) {
    t << "\nAnomalies:\n";
    for (const auto& a : o.anomalies) {
      t << "- " << a.kind << (a.node.empty() ? "" : " " + a.node) << ": "
        << one_line(a.message, Message::kMaxFailureMessage) << "\n";
    }
  }
  if (in_cluster) {
    t << "\nLook closer: " << m.describe_command << "\n";
  } else {
    t << "\nLook closer: the runner's output and target/run_results.json in the project.\n";
  }
  m.text = t.str();
  return m;
}

}  // namespace kubedbt::notify
