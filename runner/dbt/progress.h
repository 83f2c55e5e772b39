// Follows the events of one dbt invocation: how many nodes are done, of how many, which one runs.
#pragma once

#include <deque>
#include <set>
#include <string>

#include "runner/dbt/dbt_event.h"

namespace kubedbt::runner {

struct Progress {
  int done = 0;
  int total = 0;
  std::string current;  // unique_id of the longest-running node still running

  bool operator==(const Progress&) const = default;
};

class ProgressTracker {
 public:
  // Folds one event in; returns true when the progress changed.
  bool observe(const DbtEvent& event);

  Progress progress() const;
  const std::string& dbt_version() const { return dbt_version_; }
  const std::string& invocation_id() const { return invocation_id_; }
  // dbt's own text of the error that stopped it (MainEncounteredError), if any.
  const std::string& fatal_error() const { return fatal_error_; }
  // The last few error-level messages, oldest first.
  const std::deque<std::string>& errors() const { return errors_; }
  bool keyboard_interrupt() const { return keyboard_interrupt_; }

 private:
  std::string dbt_version_;
  std::string invocation_id_;
  std::string fatal_error_;
  std::deque<std::string> errors_;
  bool keyboard_interrupt_ = false;
  int total_ = 0;
  std::set<std::string> finished_;
  std::deque<std::string> running_;  // in start order
};

}  // namespace kubedbt::runner
