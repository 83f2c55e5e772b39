// The downward API: a pod's own fields and resources as text.
#include "tests/cluster/node-agent/downward_api.h"

#include <cmath>
#include <optional>

#include "tests/cluster/node-agent/quantity.h"

namespace kubedbt::node_agent {
namespace {

std::string string_at(const Json& object, const Json::json_pointer& pointer) {
  if (!object.contains(pointer) || !object.at(pointer).is_string()) return "";
  return object.at(pointer).get<std::string>();
}

// "metadata.labels['app']" -> ("metadata.labels", "app").
std::optional<std::pair<std::string, std::string>> split_subscript(const std::string& path) {
  auto open = path.find("['");
  if (open == std::string::npos || path.size() < open + 4 || path.substr(path.size() - 2) != "']") {
    return std::nullopt;
  }
  return std::make_pair(path.substr(0, open), path.substr(open + 2, path.size() - open - 4));
}

// Labels or annotations as sorted `key="value"` lines, the kubelet's volume format.
std::string format_map(const Json& map) {
  std::string out;
  if (!map.is_object()) return out;
  for (const auto& [key, value] : map.items()) {  // nlohmann::json objects iterate sorted
    out += key + "=" + Json(value.get<std::string>()).dump() + "\n";
  }
  return out;
}

const Json* find_container(const Json& pod, const std::string& name) {
  for (const char* list : {"containers", "initContainers"}) {
    if (!pod["spec"].contains(list)) continue;
    for (const auto& container : pod["spec"][list]) {
      if (container.value("name", "") == name) return &container;
    }
  }
  return nullptr;
}

}  // namespace

std::string resolve_field_path(const Json& pod, const std::string& field_path,
                               const PodRuntimeFacts& facts) {
  if (field_path == "metadata.name") return string_at(pod, "/metadata/name"_json_pointer);
  if (field_path == "metadata.namespace") return string_at(pod, "/metadata/namespace"_json_pointer);
  if (field_path == "metadata.uid") return string_at(pod, "/metadata/uid"_json_pointer);
  if (field_path == "spec.nodeName") return string_at(pod, "/spec/nodeName"_json_pointer);
  if (field_path == "spec.serviceAccountName") {
    return string_at(pod, "/spec/serviceAccountName"_json_pointer);
  }
  if (field_path == "status.podIP" || field_path == "status.podIPs") return facts.pod_ip;
  if (field_path == "status.hostIP" || field_path == "status.hostIPs") return facts.host_ip;
  const Json& metadata = pod.contains("metadata") ? pod["metadata"] : Json::object();
  if (field_path == "metadata.labels") return format_map(metadata.value("labels", Json::object()));
  if (field_path == "metadata.annotations") {
    return format_map(metadata.value("annotations", Json::object()));
  }
  if (auto subscript = split_subscript(field_path)) {
    const auto& [map_path, key] = *subscript;
    std::string map_name;
    if (map_path == "metadata.labels") map_name = "labels";
    if (map_path == "metadata.annotations") map_name = "annotations";
    if (!map_name.empty()) {
      const Json map = metadata.value(map_name, Json::object());
      return map.contains(key) ? map[key].get<std::string>() : "";
    }
  }
  throw ContainerConfigError("unsupported fieldRef fieldPath \"" + field_path + "\"");
}

std::string resolve_resource_field(const Json& pod, const std::string& container_name,
                                   const Json& ref, const PodRuntimeFacts& facts) {
  const std::string target = ref.value("containerName", container_name);
  const std::string resource = ref.value("resource", "");
  const Json* container = find_container(pod, target);
  if (container == nullptr) {
    throw ContainerConfigError("resourceFieldRef names unknown container \"" + target + "\"");
  }
  auto dot = resource.find('.');
  if (dot == std::string::npos) {
    throw ContainerConfigError("unsupported resourceFieldRef resource \"" + resource + "\"");
  }
  const std::string kind = resource.substr(0, dot);   // limits | requests
  const std::string name = resource.substr(dot + 1);  // cpu | memory | ephemeral-storage
  if ((kind != "limits" && kind != "requests") ||
      (name != "cpu" && name != "memory" && name != "ephemeral-storage")) {
    throw ContainerConfigError("unsupported resourceFieldRef resource \"" + resource + "\"");
  }
  const Json resources = container->value("resources", Json::object());
  const Json values = resources.value(kind, Json::object());
  std::string quantity;
  if (values.contains(name)) {
    quantity = values[name].get<std::string>();
  } else if (kind == "limits") {
    quantity = name == "cpu" ? facts.node_cpu : facts.node_memory;
  } else {
    quantity = "0";
  }
  const Json divisor_json = ref.value("divisor", Json("1"));
  const std::string divisor_text =
      divisor_json.is_string() ? divisor_json.get<std::string>() : divisor_json.dump();
  try {
    long double divisor = parse_quantity(divisor_text);
    if (divisor <= 0) throw std::invalid_argument("divisor must be positive");
    long double value = std::ceil(parse_quantity(quantity) / divisor - 1e-9L);
    return std::to_string(static_cast<long long>(value));
  } catch (const std::invalid_argument& error) {
    throw ContainerConfigError("resourceFieldRef " + resource + ": " + error.what());
  }
}

}  // namespace kubedbt::node_agent
