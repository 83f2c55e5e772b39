// A container's environment as the kubelet computes it.
#include "tests/cluster/node-agent/container_env.h"

#include <stdexcept>

#include "kube/base64.h"

namespace kubedbt::node_agent {
namespace {

// Looks up one key of a ConfigMap (data, then binaryData) or a Secret (base64 data).
std::optional<std::string> object_key(const Json& object, const std::string& key, bool is_secret) {
  if (is_secret) {
    const Json data = object.value("data", Json::object());
    if (!data.contains(key)) return std::nullopt;
    return kube::base64_decode(data[key].get<std::string>());
  }
  const Json data = object.value("data", Json::object());
  if (data.contains(key)) return data[key].get<std::string>();
  const Json binary = object.value("binaryData", Json::object());
  if (binary.contains(key)) return kube::base64_decode(binary[key].get<std::string>());
  return std::nullopt;
}

std::optional<Json> fetch(ObjectSource& objects, bool is_secret, const std::string& ns,
                          const std::string& name) {
  return is_secret ? objects.secret(ns, name) : objects.config_map(ns, name);
}

const char* kind_name(bool is_secret) { return is_secret ? "secret" : "configmap"; }

// A key selector (secretKeyRef / configMapKeyRef): nullopt when optional and absent.
std::optional<std::string> resolve_key_ref(const Json& ref, bool is_secret, const std::string& ns,
                                           ObjectSource& objects) {
  const std::string name = ref.value("name", "");
  const std::string key = ref.value("key", "");
  const bool optional = ref.value("optional", false);
  auto object = fetch(objects, is_secret, ns, name);
  if (!object) {
    if (optional) return std::nullopt;
    throw ContainerConfigError(std::string(kind_name(is_secret)) + " \"" + name + "\" not found");
  }
  auto value = object_key(*object, key, is_secret);
  if (!value && !optional) {
    throw ContainerConfigError("couldn't find key " + key + " in " + kind_name(is_secret) + " " +
                               ns + "/" + name);
  }
  return value;
}

void append_env_from(const Json& source, const std::string& ns, ObjectSource& objects,
                     EnvList& env) {
  const bool is_secret = source.contains("secretRef");
  const Json ref = is_secret ? source["secretRef"] : source.value("configMapRef", Json::object());
  const std::string name = ref.value("name", "");
  const std::string prefix = source.value("prefix", "");
  auto object = fetch(objects, is_secret, ns, name);
  if (!object) {
    if (ref.value("optional", false)) return;
    throw ContainerConfigError(std::string(kind_name(is_secret)) + " \"" + name + "\" not found");
  }
  for (const char* field : {"data", "binaryData"}) {
    if (is_secret && std::string(field) == "binaryData") continue;
    const Json entries = object->value(field, Json::object());
    for (const auto& [key, encoded] : entries.items()) {
      if (key.find('=') != std::string::npos) continue;  // not a valid variable name
      const bool decode = is_secret || std::string(field) == "binaryData";
      env.emplace_back(prefix + key, decode ? kube::base64_decode(encoded.get<std::string>())
                                            : encoded.get<std::string>());
    }
  }
}

std::map<std::string, std::string> as_map(const EnvList& env) {
  std::map<std::string, std::string> map;
  for (const auto& [name, value] : env) map[name] = value;
  return map;
}

}  // namespace

EnvList kubernetes_service_env(const std::string& server_url) {
  std::string rest = server_url;
  auto scheme = rest.find("://");
  if (scheme != std::string::npos) rest = rest.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  std::string host = rest;
  std::string port = "443";
  if (!rest.empty() && rest[0] == '[') {  // [::1]:6443
    auto close = rest.find(']');
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  const std::string address = "tcp://" + host + ":" + port;
  return {
      {"KUBERNETES_SERVICE_HOST", host},
      {"KUBERNETES_SERVICE_PORT", port},
      {"KUBERNETES_SERVICE_PORT_HTTPS", port},
      {"KUBERNETES_PORT", address},
      {"KUBERNETES_PORT_" + port + "_TCP", address},
      {"KUBERNETES_PORT_" + port + "_TCP_PROTO", "tcp"},
      {"KUBERNETES_PORT_" + port + "_TCP_PORT", port},
      {"KUBERNETES_PORT_" + port + "_TCP_ADDR", host},
  };
}

EnvList build_container_env(const Json& pod, const Json& container, const EnvList& base,
                            ObjectSource& objects, const PodRuntimeFacts& facts) {
  const std::string ns = pod["metadata"].value("namespace", "default");
  const std::string container_name = container.value("name", "");
  EnvList env = base;
  for (const auto& source : container.value("envFrom", Json::array())) {
    append_env_from(source, ns, objects, env);
  }
  for (const auto& var : container.value("env", Json::array())) {
    const std::string name = var.value("name", "");
    if (var.contains("value")) {
      env.emplace_back(name, expand_references(var["value"].get<std::string>(), as_map(env)));
      continue;
    }
    if (!var.contains("valueFrom")) {
      env.emplace_back(name, "");
      continue;
    }
    const Json& from = var["valueFrom"];
    std::optional<std::string> value;
    if (from.contains("secretKeyRef")) {
      value = resolve_key_ref(from["secretKeyRef"], true, ns, objects);
    } else if (from.contains("configMapKeyRef")) {
      value = resolve_key_ref(from["configMapKeyRef"], false, ns, objects);
    } else if (from.contains("fieldRef")) {
      value = resolve_field_path(pod, from["fieldRef"].value("fieldPath", ""), facts);
    } else if (from.contains("resourceFieldRef")) {
      value = resolve_resource_field(pod, container_name, from["resourceFieldRef"], facts);
    } else {
      throw ContainerConfigError("env " + name + ": unsupported valueFrom");
    }
    if (value) env.emplace_back(name, *value);
  }
  return deduplicate(env);
}

EnvList deduplicate(const EnvList& env) {
  EnvList out;
  std::map<std::string, std::size_t> index;
  for (const auto& [name, value] : env) {
    auto found = index.find(name);
    if (found == index.end()) {
      index[name] = out.size();
      out.emplace_back(name, value);
    } else {
      out[found->second].second = value;
    }
  }
  return out;
}

std::string expand_references(const std::string& text,
                              const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out.push_back(text[i]);
      continue;
    }
    if (text[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (text[i + 1] == '(') {
      auto close = text.find(')', i + 2);
      if (close != std::string::npos) {
        const std::string name = text.substr(i + 2, close - i - 2);
        auto found = vars.find(name);
        if (found != vars.end()) {
          out += found->second;
          i = close;
          continue;
        }
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace kubedbt::node_agent
