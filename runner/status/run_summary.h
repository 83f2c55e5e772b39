// The run's results so far, node by node (the latest attempt wins), and the counts shown to people.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runner/dbt/run_results.h"

namespace kubedbt::runner {

struct NodeFailure {
  std::string node;
  std::string message;
};

struct NodeDuration {
  std::string node;
  double seconds = 0;
};

struct Summary {
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
  std::vector<NodeFailure> failures;  // errors, test failures, stale sources; bounded
  std::vector<NodeDuration> slowest;  // bounded, slowest first
};

class ResultBook {
 public:
  static constexpr size_t kMaxFailures = 20;
  static constexpr size_t kMaxSlowest = 10;

  // Records an invocation's node results over earlier ones (a retry re-runs only some nodes).
  void record(const InvocationResults& results);
  Summary summary() const;
  const std::map<std::string, NodeResult>& nodes() const { return nodes_; }

 private:
  std::map<std::string, NodeResult> nodes_;
  std::vector<std::string> order_;  // first-seen order, for stable failure lists
};

}  // namespace kubedbt::runner
