// Run history in the state store: one row per run and one per node, failed runs included, and the
// recent successful runs that anomaly detection compares a run with.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runner/spec/run_spec.h"
#include "runner/status/run_status.h"
#include "runner/status/run_summary.h"

namespace pqxx {
class transaction_base;
}

namespace kubedbt::runner {

struct NodeRecord {
  std::string unique_id;
  std::string resource_type;
  std::string status;
  double execution_seconds = 0;
  std::optional<int64_t> rows_affected;  // absent when the adapter did not say
};

struct RunRecord {
  int64_t id = 0;  // assigned by the store
  std::string project;
  std::string target;
  std::string run_namespace;
  std::string run_name;
  std::optional<std::string> run_schema;
  std::string invocation_id;
  std::string phase;
  std::chrono::system_clock::time_point started_at{};
  std::chrono::system_clock::time_point finished_at{};
  double duration_seconds = 0;
  int64_t rows_affected = 0;
  std::string dbt_version;
  std::string commit_sha;
  std::string message;
  std::vector<NodeRecord> nodes;
};

// The history row of a finished run, from its spec, final status and node results.
RunRecord run_record(const RunSpec& spec, const RunStatus& status, const ResultBook& book,
                     const std::string& invocation_id);

// Inserts the run and its nodes into <schema>.runs / run_nodes; returns the run's id.
int64_t insert_run(pqxx::transaction_base& tx, const std::string& schema, const RunRecord& run);

// The latest `limit` Succeeded runs of project+target without a schema override, newest first,
// nodes included, leaving out run `except_id`.
std::vector<RunRecord> recent_successful_runs(pqxx::transaction_base& tx, const std::string& schema,
                                              const std::string& project, const std::string& target,
                                              int limit, int64_t except_id);

}  // namespace kubedbt::runner
