// Reads the fields the runner needs from run_results.json (v6) and sources.json (v3).
#include "runner/dbt/run_results.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kubedbt::runner {
namespace {

std::string text(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double number(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : 0.0;
}

const nlohmann::json& results_of(const nlohmann::json& artifact, const char* kind) {
  if (!artifact.is_object() || !artifact.contains("results") || !artifact["results"].is_array()) {
    throw std::runtime_error(std::string(kind) + ": no results list");
  }
  return artifact["results"];
}

void read_metadata(const nlohmann::json& artifact, InvocationResults& out) {
  if (auto it = artifact.find("metadata"); it != artifact.end() && it->is_object()) {
    out.invocation_id = text(*it, "invocation_id");
    out.dbt_version = text(*it, "dbt_version");
  }
}

std::string format_age(double seconds) {
  std::ostringstream s;
  if (seconds >= 2 * 3600) {
    s << std::lround(seconds / 3600) << "h";
  } else {
    s << std::lround(seconds / 60) << "m";
  }
  return s.str();
}

std::optional<nlohmann::json> read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(file.string() + ": not valid JSON: " + e.what());
  }
}

}  // namespace

std::string resource_type_of(const std::string& unique_id) {
  return unique_id.substr(0, unique_id.find('.'));
}

std::set<std::string> executed_nodes(const InvocationResults& results) {
  std::set<std::string> out;
  for (const auto& node : results.nodes) {
    if (node.status != "skipped") out.insert(node.unique_id);
  }
  return out;
}

InvocationResults parse_run_results(const nlohmann::json& artifact) {
  InvocationResults out;
  read_metadata(artifact, out);
  if (auto args = artifact.find("args"); args != artifact.end() && args->is_object()) {
    out.command = text(*args, "which");
  }
  for (const auto& r : results_of(artifact, "run_results.json")) {
    NodeResult node;
    node.unique_id = text(r, "unique_id");
    if (node.unique_id.empty())
      throw std::runtime_error("run_results.json: a result has no unique_id");
    node.resource_type = resource_type_of(node.unique_id);
    node.status = text(r, "status");
    node.message = text(r, "message");
    node.execution_seconds = number(r, "execution_time");
    if (auto ar = r.find("adapter_response"); ar != r.end() && ar->is_object()) {
      if (auto rows = ar->find("rows_affected"); rows != ar->end() && rows->is_number_integer()) {
        node.rows_affected = rows->get<int64_t>();
      }
    }
    out.nodes.push_back(std::move(node));
  }
  return out;
}

InvocationResults parse_sources(const nlohmann::json& artifact) {
  InvocationResults out;
  read_metadata(artifact, out);
  out.command = "freshness";
  for (const auto& r : results_of(artifact, "sources.json")) {
    NodeResult node;
    node.unique_id = text(r, "unique_id");
    if (node.unique_id.empty()) throw std::runtime_error("sources.json: a result has no unique_id");
    node.resource_type = "source";
    node.status = text(r, "status");
    node.execution_seconds = number(r, "execution_time");
    if (node.status == "runtime error") {
      node.message = text(r, "error");
    } else if (auto age = r.find("max_loaded_at_time_ago_in_s");
               age != r.end() && age->is_number()) {
      node.message = "last loaded " + format_age(age->get<double>()) + " ago";
      if (auto crit = r.find("criteria"); crit != r.end() && crit->is_object()) {
        const char* key = node.status == "warn" ? "warn_after" : "error_after";
        auto after = crit->find(key);
        if (after != crit->end() && after->is_object() && after->value("count", 0) > 0) {
          node.message += std::string(" (") + (node.status == "warn" ? "warn" : "error") +
                          " after " + std::to_string(after->value("count", 0)) + " " +
                          after->value("period", std::string("hour")) + "s)";
        }
      }
    }
    out.nodes.push_back(std::move(node));
  }
  return out;
}

std::optional<InvocationResults> read_run_results(const std::filesystem::path& file) {
  auto json = read_json(file);
  if (!json) return std::nullopt;
  try {
    return parse_run_results(*json);
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

std::optional<InvocationResults> read_sources(const std::filesystem::path& file) {
  auto json = read_json(file);
  if (!json) return std::nullopt;
  try {
    return parse_sources(*json);
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

}  // namespace kubedbt::runner
