// Pure helpers of deferral; the pipeline fetches the manifest from the state store.
#include "runner/state/slim_ci.h"

#include <fstream>
#include <stdexcept>

namespace kubedbt::runner {
namespace {

std::vector<std::string> without_state(std::vector<std::string>& words,
                                       std::vector<std::string>& dropped) {
  std::vector<std::string> kept;
  for (auto& w : words) {
    if (is_state_selector(w)) {
      dropped.push_back(w);
    } else {
      kept.push_back(std::move(w));
    }
  }
  return kept;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

std::map<std::string, Relation> built_relations(const nlohmann::json& manifest) {
  std::map<std::string, Relation> relations;
  auto nodes = manifest.find("nodes");
  if (nodes == manifest.end() || !nodes->is_object()) return relations;
  for (const auto& [unique_id, node] : nodes->items()) {
    auto type = node.value("resource_type", "");
    if (type != "model" && type != "seed" && type != "snapshot") continue;
    auto config = node.find("config");
    if (config != node.end() && config->is_object() &&
        config->value("materialized", "") == "ephemeral") {
      continue;
    }
    auto schema = node.find("schema");
    if (schema == node.end() || !schema->is_string()) continue;
    auto alias = node.find("alias");
    std::string name = alias != node.end() && alias->is_string() ? alias->get<std::string>()
                                                                 : node.value("name", "");
    relations[unique_id] = Relation{schema->get<std::string>(), name};
  }
  return relations;
}

bool is_state_selector(const std::string& word) { return word.find("state:") != std::string::npos; }

std::vector<std::string> drop_state_selectors(RunSpec& spec) {
  std::vector<std::string> dropped;
  spec.select = without_state(spec.select, dropped);
  spec.exclude = without_state(spec.exclude, dropped);
  return dropped;
}

std::filesystem::path write_defer_state(const std::filesystem::path& dir,
                                        const std::string& manifest) {
  std::filesystem::create_directories(dir);
  auto file = dir / "manifest.json";
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << manifest;
  if (!out) throw std::runtime_error("cannot write the deferral manifest " + file.string());
  return dir;
}

std::string no_production_manifest_message(const RunSpec& spec,
                                           const std::vector<std::string>& dropped) {
  std::string to = spec.defer ? spec.defer->to : "";
  std::string text = "No production manifest of target " + to + " is stored yet, so ";
  if (spec.select.empty() && spec.selector.empty()) {
    text += "every model was built";
  } else {
    text += "the selection ran without deferral";
  }
  if (!dropped.empty()) text += " (state selectors dropped: " + joined(dropped) + ")";
  return text + ".";
}

}  // namespace kubedbt::runner
