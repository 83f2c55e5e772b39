// Blue-green planning: read the nodes that write relations from both manifests and pair schemas.
#include "runner/deploy/blue_green_plan.h"

#include <map>
#include <set>

namespace kubedbt::runner {
namespace {

// A node that leaves a relation (or function) in the warehouse, with where it goes.
struct WrittenNode {
  std::string database;
  std::string schema;
  std::string relation;  // the relation's name (alias); empty for a function
  std::string materialized;
};

bool writes_relation(const nlohmann::json& node) {
  auto type = node.value("resource_type", "");
  if (type == "seed" || type == "snapshot" || type == "function") return true;
  if (type != "model") return false;
  const auto config = node.find("config");
  if (config == node.end() || !config->is_object()) return true;
  return config->value("materialized", "") != "ephemeral";
}

std::string text_field(const nlohmann::json& node, const char* key, const std::string& id,
                       const char* which) {
  auto it = node.find(key);
  if (it == node.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw PlanError(std::string("the ") + which + " manifest gives node " + id + " no " + key);
  }
  return it->get<std::string>();
}

// unique_id -> where the node writes, for every node of `manifest` that writes a relation.
std::map<std::string, WrittenNode> written_nodes(const nlohmann::json& manifest,
                                                 const char* which) {
  if (!manifest.is_object() || !manifest.contains("nodes")) {
    throw PlanError(std::string("the ") + which + " manifest has no nodes (not a dbt manifest)");
  }
  std::map<std::string, WrittenNode> nodes;
  for (const char* section : {"nodes", "functions"}) {
    auto it = manifest.find(section);
    if (it == manifest.end() || !it->is_object()) continue;
    for (const auto& [id, node] : it->items()) {
      if (!node.is_object() || !writes_relation(node)) continue;
      bool function = node.value("resource_type", "") == "function";
      auto config = node.find("config");
      nodes[id] = {text_field(node, "database", id, which), text_field(node, "schema", id, which),
                   function ? std::string() : text_field(node, "alias", id, which),
                   config != node.end() && config->is_object()
                       ? config->value("materialized", std::string())
                       : std::string()};
    }
  }
  return nodes;
}

void check_length(const std::string& schema, const std::string& what) {
  if (schema.size() > kMaxIdentifierBytes) {
    throw PlanError(what + " \"" + schema + "\" is " + std::to_string(schema.size()) +
                    " bytes; PostgreSQL names hold at most 63, so shorten the target schema or the "
                    "custom schema names");
  }
}

}  // namespace

std::vector<std::string> BlueGreenPlan::production_schemas() const {
  std::vector<std::string> out;
  for (const auto& p : pairs) out.push_back(p.production);
  return out;
}

std::vector<std::string> BlueGreenPlan::staging_schemas() const {
  std::vector<std::string> out;
  for (const auto& p : pairs) out.push_back(p.staging);
  return out;
}

std::vector<std::string> BlueGreenPlan::previous_schemas() const {
  std::vector<std::string> out;
  for (const auto& p : pairs) out.push_back(p.previous);
  return out;
}

std::string staging_target_schema(const std::string& target_schema) {
  auto staging = target_schema + kStagingMarker;
  check_length(staging, "the staging schema of target schema \"" + target_schema + "\",");
  return staging;
}

std::string previous_schema(const std::string& production_schema) {
  auto previous = production_schema + kPreviousSuffix;
  check_length(previous, "the backup schema of \"" + production_schema + "\",");
  return previous;
}

BlueGreenPlan plan_blue_green(const nlohmann::json& production, const nlohmann::json& staging,
                              const std::string& database) {
  auto production_nodes = written_nodes(production, "production");
  auto staging_nodes = written_nodes(staging, "staging");

  BlueGreenPlan plan;
  std::map<std::string, std::string> staging_of;     // production schema -> staging schema
  std::map<std::string, std::string> production_of;  // staging schema -> production schema
  std::map<std::string, std::string> example_node;   // production schema -> a node writing there
  for (const auto& [id, prod] : production_nodes) {
    auto found = staging_nodes.find(id);
    if (found == staging_nodes.end()) {
      throw PlanError("node " + id +
                      " is in the production manifest but not in the staging one; the project "
                      "must parse to the same nodes for both");
    }
    const auto& stage = found->second;
    for (const auto* where : {&prod, &stage}) {
      if (where->database != database) {
        throw PlanError("node " + id + " writes to database \"" + where->database +
                        "\"; blue-green swaps schemas inside the target's database \"" + database +
                        "\" only, so remove its database config or use the Direct strategy");
      }
    }
    if (stage.schema.find(kStagingMarker) == std::string::npos) {
      throw PlanError("node " + id + " builds into schema \"" + stage.schema +
                      "\" for staging, which does not contain \"" + kStagingMarker +
                      "\"; generate_schema_name must derive every schema from target.schema for "
                      "BlueGreen, or use the Direct strategy");
    }
    auto [p, inserted_p] = staging_of.emplace(prod.schema, stage.schema);
    if (!inserted_p && p->second != stage.schema) {
      throw PlanError("production schema \"" + prod.schema +
                      "\" would be replaced by two staging " + "schemas, \"" + p->second +
                      "\" and \"" + stage.schema + "\" (node " + id +
                      "); generate_schema_name must map schemas one to one");
    }
    auto [s, inserted_s] = production_of.emplace(stage.schema, prod.schema);
    if (!inserted_s && s->second != prod.schema) {
      throw PlanError("staging schema \"" + stage.schema + "\" would replace two production " +
                      "schemas, \"" + s->second + "\" and \"" + prod.schema + "\" (node " + id +
                      "); generate_schema_name must map schemas one to one");
    }
    example_node.emplace(prod.schema, id);
    if (!stage.relation.empty()) {
      plan.relations.push_back(
          {id, stage.schema, stage.relation, stage.materialized, prod.schema, prod.relation});
    }
  }

  std::set<std::string> taken;  // every production and staging name
  for (const auto& [prod, stage] : staging_of) taken.insert({prod, stage});
  for (const auto& [prod, stage] : staging_of) {
    if (production_of.count(prod)) {
      throw PlanError("schema \"" + prod + "\" is a production schema (node " +
                      example_node.at(prod) +
                      ") and also the staging schema of another; a custom generate_schema_name "
                      "must not give the staging build a production schema");
    }
    check_length(prod, "production schema");
    check_length(stage, "staging schema");
    SchemaPair pair{prod, stage, previous_schema(prod)};
    if (taken.count(pair.previous)) {
      throw PlanError("the backup name \"" + pair.previous + "\" of schema \"" + prod +
                      "\" is also a schema the project builds; rename that schema");
    }
    plan.pairs.push_back(std::move(pair));
  }
  return plan;
}

}  // namespace kubedbt::runner
