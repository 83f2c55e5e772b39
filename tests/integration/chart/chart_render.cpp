// Rendering charts/kubedbt with helm and reading YAML as JSON, for the chart suites.
#include "tests/integration/chart/chart_render.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

namespace kubedbt::testing::chart {
namespace {

// YAML to JSON: scalars keep YAML's types where they are plain (true, 12), strings otherwise.
Json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& entry : node) out[entry.first.as<std::string>()] = to_json(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted
      if (text == "true" || text == "false") return text == "true";
      try {
        std::size_t used = 0;
        long long number = std::stoll(text, &used);
        if (used == text.size()) return number;
      } catch (const std::exception&) {
      }
      return text;
    }
    default:
      return nullptr;
  }
}

}  // namespace

std::string source_path(const std::string& relative) {
  return std::string(KUBEDBT_SOURCE_DIR) + "/" + relative;
}

std::string helm_path() { return std::string(KUBEDBT_CACHE_DIR) + "/bin/helm"; }

CommandResult helm(const std::vector<std::string>& args) {
  std::vector<std::string> argv{helm_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

std::string render(const std::string& release, const std::string& ns,
                   const std::vector<std::string>& args) {
  std::vector<std::string> all{"template", release, source_path("charts/kubedbt"), "-n", ns};
  all.insert(all.end(), args.begin(), args.end());
  auto r = helm(all);
  if (r.exit_code != 0) throw std::runtime_error("helm template failed: " + r.err);
  return r.out;
}

std::vector<Json> yaml_documents(const std::string& text) {
  std::vector<Json> out;
  for (const auto& doc : YAML::LoadAll(text)) {
    if (doc.IsMap()) out.push_back(to_json(doc));
  }
  return out;
}

std::vector<Json> yaml_file_documents(const std::string& relative_path) {
  std::vector<Json> out;
  for (const auto& doc : YAML::LoadAllFromFile(source_path(relative_path))) {
    if (doc.IsMap()) out.push_back(to_json(doc));
  }
  return out;
}

std::vector<Json> objects_of_kind(const std::vector<Json>& objects, const std::string& kind) {
  std::vector<Json> out;
  for (const auto& o : objects) {
    if (o.value("kind", "") == kind) out.push_back(o);
  }
  return out;
}

Json find_object(const std::vector<Json>& objects, const std::string& kind,
                 const std::string& name) {
  std::vector<Json> found;
  std::string present;
  for (const auto& o : objects_of_kind(objects, kind)) {
    const std::string n = o["metadata"].value("name", "");
    present += " " + n;
    if (n == name) found.push_back(o);
  }
  if (found.size() != 1) {
    throw std::runtime_error("expected one " + kind + " named " + name +
                             "; there are:" + (present.empty() ? " none" : present));
  }
  return found.front();
}

}  // namespace kubedbt::testing::chart
