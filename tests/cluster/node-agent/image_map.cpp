// How an image name becomes a local environment.
#include "tests/cluster/node-agent/image_map.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kubedbt::node_agent {
namespace {

using Lookup = std::function<std::optional<std::string>(const std::string&)>;

std::string expand(const std::string& text, const Lookup& lookup) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      auto close = text.find('}', i + 2);
      if (close != std::string::npos) {
        out += lookup(text.substr(i + 2, close - i - 2)).value_or("");
        i = close;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::vector<std::string> string_list(const YAML::Node& node, const std::string& where,
                                     const Lookup& lookup) {
  std::vector<std::string> out;
  if (!node) return out;
  if (!node.IsSequence()) throw std::runtime_error(where + ": expected a list of strings");
  for (const auto& item : node) out.push_back(expand(item.as<std::string>(), lookup));
  return out;
}

// The repository without a leading registry host ("host.tld/", "host:port/", "localhost/").
std::string without_registry(const std::string& repository) {
  auto slash = repository.find('/');
  if (slash == std::string::npos) return repository;
  const std::string first = repository.substr(0, slash);
  if (first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
      first == "localhost") {
    return repository.substr(slash + 1);
  }
  return repository;
}

}  // namespace

std::string image_repository(const std::string& image) {
  std::string repository = image.substr(0, image.find('@'));
  auto colon = repository.rfind(':');
  auto slash = repository.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    repository = repository.substr(0, colon);
  }
  return repository;
}

ImageMap ImageMap::parse(const std::string& yaml_text, const std::string& origin,
                         const Lookup& lookup) {
  ImageMap map;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    throw std::runtime_error("image map " + origin + ": " + error.what());
  }
  if (!root || root.IsNull()) return map;
  const YAML::Node images = root["images"];
  if (!images) return map;
  if (!images.IsMap()) throw std::runtime_error("image map " + origin + ": images must be a map");
  for (const auto& item : images) {
    const std::string key = item.first.as<std::string>();
    const std::string where = "image map " + origin + ": images." + key;
    const YAML::Node& spec = item.second;
    if (!spec.IsMap() && !spec.IsNull()) throw std::runtime_error(where + ": expected a map");
    ImageEnvironment entry;
    entry.matched_key = key;
    try {
      if (spec.IsMap()) {
        entry.path_prepend = string_list(spec["path"], where + ".path", lookup);
        entry.command = string_list(spec["command"], where + ".command", lookup);
        entry.args = string_list(spec["args"], where + ".args", lookup);
        if (spec["workingDir"])
          entry.working_dir = expand(spec["workingDir"].as<std::string>(), lookup);
        if (const YAML::Node env = spec["env"]) {
          if (!env.IsMap()) throw std::runtime_error(where + ".env: expected a map");
          for (const auto& var : env) {
            entry.env.emplace_back(var.first.as<std::string>(),
                                   expand(var.second.as<std::string>(), lookup));
          }
        }
      }
    } catch (const YAML::Exception& error) {
      throw std::runtime_error(where + ": " + error.what());
    }
    map.entries_[key] = std::move(entry);
  }
  return map;
}

ImageMap ImageMap::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("image map " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path, [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

ImageEnvironment ImageMap::resolve(const std::string& image) const {
  const std::string repository = image_repository(image);
  const std::string short_repository = without_registry(repository);
  const std::string last = repository.substr(repository.rfind('/') + 1);
  for (const auto& candidate : {repository, short_repository, last}) {
    auto found = entries_.find(candidate);
    if (found != entries_.end()) return found->second;
  }
  return {};
}

}  // namespace kubedbt::node_agent
