// What notifications know about a finished run: who it was, how it ended, what went wrong.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kubedbt::notify {

struct NodeFailure {
  std::string node;     // unique_id: "test.shop.assert_no_completed_orders"
  std::string name;     // what a person calls it: "assert_no_completed_orders"
  std::string message;  // secret-free, already scrubbed by the runner
};

struct RunAnomaly {
  std::string kind;  // "RowCount" | "Duration"
  std::string node;  // empty for the whole run's duration
  std::string message;
};

struct RunCounts {
  struct Models {
    int success = 0, error = 0, skipped = 0;
  } models;
  struct Tests {
    int pass = 0, fail = 0, warn = 0, error = 0;
  } tests;
  struct Freshness {
    int pass = 0, warn = 0, error = 0;
  } freshness;
  int64_t rows_affected = 0;
};

struct RunOutcome {
  std::string project;
  std::string target;
  std::string run_namespace;  // the DbtRun; both empty in local mode
  std::string run_name;
  std::string phase;  // Succeeded | Failed | TimedOut | Cancelled
  std::string message;
  RunCounts counts;
  std::vector<NodeFailure> failures;
  std::vector<RunAnomaly> anomalies;
};

}  // namespace kubedbt::notify
