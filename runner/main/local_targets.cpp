// YAML read through yaml-cpp and converted to JSON, so targets are validated by the same code as
// the run spec.
#include "runner/main/local_targets.h"

#include <yaml-cpp/yaml.h>

#include "runner/os/read_file.h"

namespace kubedbt::runner {
namespace {

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      auto object = nlohmann::json::object();
      for (const auto& kv : node) object[kv.first.as<std::string>()] = to_json(kv.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      auto array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(to_json(item));
      return array;
    }
    case YAML::NodeType::Scalar: {
      const auto& text = node.Scalar();
      if (node.Tag() != "!") {  // unquoted: may be a number or a boolean
        if (text == "true" || text == "false") return text == "true";
        try {
          size_t used = 0;
          long long n = std::stoll(text, &used);
          if (used == text.size()) return n;
        } catch (const std::exception&) {
        }
      }
      return text;
    }
    default:
      return nullptr;
  }
}

}  // namespace

LocalTargets parse_local_targets(const std::string& yaml_text, const std::string& origin) {
  nlohmann::json document;
  try {
    document = to_json(YAML::Load(yaml_text));
  } catch (const YAML::Exception& e) {
    throw SpecError(origin, std::string("is not valid YAML: ") + e.what());
  }
  JsonFields f(document, origin);
  f.only({"profile", "targets"});
  LocalTargets out;
  out.profile = f.optional_string("profile").value_or("");
  auto targets = f.object("targets");
  if (targets.json().empty()) throw SpecError(targets.path(), "must name at least one target");
  for (const auto& [name, _] : targets.json().items()) {
    out.targets.emplace(name, parse_target(targets.object(name), name));
  }
  return out;
}

LocalTargets load_local_targets(const std::filesystem::path& file) {
  auto text = read_file(file);
  if (!text) {
    throw SpecError(file.string(),
                    "cannot be read; local mode takes its targets from this file "
                    "(or --targets FILE)");
  }
  return parse_local_targets(*text, file.string());
}

std::string project_profile(const std::filesystem::path& project_dir) {
  auto file = project_dir / "dbt_project.yml";
  try {
    auto node = YAML::LoadFile(file.string());
    if (node["profile"] && node["profile"].IsScalar()) return node["profile"].as<std::string>();
  } catch (const YAML::Exception& e) {
    throw SpecError(file.string(), std::string("cannot be read: ") + e.what());
  }
  throw SpecError(file.string() + ": profile", "is required");
}

const TargetSpec& choose_local_target(const LocalTargets& targets, const std::string& name,
                                      const std::string& origin) {
  auto it = targets.targets.find(name);
  if (it == targets.targets.end()) {
    std::string known;
    for (const auto& [n, _] : targets.targets) known += (known.empty() ? "" : ", ") + n;
    throw SpecError(origin + ": targets." + name, "no such target (known: " + known + ")");
  }
  if (it->second.is_protected) {
    throw SpecError(origin + ": targets." + name,
                    "is protected: local runs never build it; it is built by the cluster's "
                    "DbtSchedule and DbtRun runs");
  }
  return it->second;
}

}  // namespace kubedbt::runner
