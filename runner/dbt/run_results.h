// dbt's artifacts of one invocation (run_results.json, sources.json) read into node results.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kubedbt::runner {

struct NodeResult {
  std::string unique_id;      // "model.shop.fct_orders", "source.shop.raw.orders"
  std::string resource_type;  // "model", "test", "seed", "snapshot", "source", ...
  std::string status;  // dbt's status: success, error, skipped, pass, fail, warn, runtime error
  std::string message;
  double execution_seconds = 0;
  int64_t rows_affected = -1;  // -1 when the adapter did not say
};

struct InvocationResults {
  std::string invocation_id;
  std::string dbt_version;
  std::string command;  // args.which for run_results ("build", "retry"); "freshness" for sources
  std::vector<NodeResult> nodes;
};

// Parse the documented artifact shapes; throw std::runtime_error when the shape is not theirs.
InvocationResults parse_run_results(const nlohmann::json& artifact);
InvocationResults parse_sources(const nlohmann::json& artifact);

// Reads the file if it exists; throws std::runtime_error naming it when it is not valid JSON.
std::optional<InvocationResults> read_run_results(const std::filesystem::path& file);
std::optional<InvocationResults> read_sources(const std::filesystem::path& file);

// The nodes an invocation executed: every result whose status is not "skipped".
std::set<std::string> executed_nodes(const InvocationResults& results);

// The resource type of a unique_id: its first dotted part.
std::string resource_type_of(const std::string& unique_id);

}  // namespace kubedbt::runner
