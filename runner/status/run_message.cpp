// Sentences for the status message and the terminal.
#include "runner/status/run_message.h"

#include <sstream>
#include <vector>

namespace kubedbt::runner {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

std::string plural(int n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string display_name(const std::string& unique_id) {
  auto parts = split(unique_id, '.');
  if (parts.size() < 3) return unique_id;
  if (parts[0] == "test" || parts[0] == "unit_test") return parts[2];
  std::string name;
  for (size_t i = 2; i < parts.size(); ++i) name += (name.empty() ? "" : ".") + parts[i];
  return name;
}

std::string one_line(const std::string& text, size_t limit) {
  std::string out;
  for (const auto& raw : split(text, '\n')) {
    size_t b = raw.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    std::string line = raw.substr(b);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (!out.empty()) out += (out.back() == ':' || out.back() == '.') ? " " : ": ";
    out += line;
  }
  if (out.size() > limit) out = out.substr(0, limit - 3) + "...";
  return out;
}

std::string success_message(const Summary& s) {
  std::vector<std::string> parts;
  if (s.models.success > 0) parts.push_back("built " + plural(s.models.success, "model"));
  int tests = s.tests.pass + s.tests.warn;
  if (tests > 0) {
    std::string t = plural(tests, "test") + " passed";
    if (s.tests.warn > 0) t += " (" + std::to_string(s.tests.warn) + " with warnings)";
    parts.push_back(t);
  }
  int sources = s.freshness.pass + s.freshness.warn;
  if (sources > 0) {
    std::string f = plural(sources, "source") + " fresh";
    if (s.freshness.warn > 0)
      f += " (" + std::to_string(s.freshness.warn) + " past their warn age)";
    parts.push_back(f);
  }
  if (parts.empty()) return "Succeeded.";
  std::string out = "Succeeded: ";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out + ".";
}

std::string failure_message(const std::string& command, const AttemptOutcome& last) {
  if (last.results) {
    std::vector<const NodeResult*> tests, errors, stale;
    int skipped = 0;
    for (const auto& n : last.results->nodes) {
      bool is_test = n.resource_type == "test" || n.resource_type == "unit_test";
      if (is_test && n.status == "fail")
        tests.push_back(&n);
      else if (n.resource_type == "source" && (n.status == "error" || n.status == "runtime error"))
        stale.push_back(&n);
      else if (n.status == "error")
        errors.push_back(&n);
      else if (n.status == "skipped")
        ++skipped;
    }
    auto more = [](size_t n) { return n > 1 ? " and " + std::to_string(n - 1) + " more" : ""; };
    std::string skipped_note = skipped > 0 ? "; " + plural(skipped, "node") + " skipped" : "";
    if (!errors.empty()) {
      const auto& n = *errors.front();
      return n.resource_type + " " + display_name(n.unique_id) + " failed" + more(errors.size()) +
             ": " + one_line(n.message, 300) + skipped_note;
    }
    if (!stale.empty()) {
      const auto& n = *stale.front();
      return "source " + display_name(n.unique_id) +
             (n.status == "error" ? " is stale: " : " could not be checked: ") +
             one_line(n.message, 300) + more(stale.size());
    }
    if (!tests.empty()) {
      const auto& n = *tests.front();
      return plural(static_cast<int>(tests.size()), "data test") +
             " failed: " + display_name(n.unique_id) + " (" + one_line(n.message, 200) + ")" +
             (tests.size() > 1 ? " and " + std::to_string(tests.size() - 1) + " more" : "");
    }
  }
  if (!last.fatal_error.empty()) {
    return "dbt " + command + " could not run: " + one_line(last.fatal_error);
  }
  return "dbt " + command + " failed with exit code " + std::to_string(last.exit_code);
}

}  // namespace kubedbt::runner
