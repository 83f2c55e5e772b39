// The files of a pod's ConfigMap, Secret, downwardAPI and projected volumes.
#include "tests/cluster/node-agent/volume_files.h"

#include <map>

#include "kube/base64.h"

namespace kubedbt::node_agent {
namespace {

constexpr mode_t kDefaultMode = 0644;  // the API's default for defaultMode (420)

mode_t mode_of(const Json& object, const char* field, mode_t fallback) {
  if (object.contains(field) && object[field].is_number_integer()) {
    return static_cast<mode_t>(object[field].get<int64_t>() & 07777);
  }
  return fallback;
}

void add_file(std::vector<VolumeFile>& files, const std::string& path, std::string content,
              mode_t mode) {
  if (!is_safe_relative_path(path)) {
    throw ContainerConfigError("volume item path \"" + path +
                               "\" must be relative and stay inside the volume");
  }
  files.push_back({path, std::move(content), mode});
}

// configMap / secret source: all keys, or the listed items.
void render_key_files(const Json& source, bool is_secret, const std::string& ns,
                      ObjectSource& objects, mode_t default_mode, std::vector<VolumeFile>& files) {
  const std::string name = source.value("name", is_secret ? source.value("secretName", "") : "");
  const bool optional = source.value("optional", false);
  auto object = is_secret ? objects.secret(ns, name) : objects.config_map(ns, name);
  const char* kind = is_secret ? "secret" : "configmap";
  if (!object) {
    if (optional) return;
    throw ContainerConfigError(std::string(kind) + " \"" + name + "\" not found");
  }
  std::map<std::string, std::string> values;
  const Json data = object->value("data", Json::object());
  for (const auto& [key, value] : data.items()) {
    values[key] =
        is_secret ? kube::base64_decode(value.get<std::string>()) : value.get<std::string>();
  }
  if (!is_secret) {
    const Json binary = object->value("binaryData", Json::object());
    for (const auto& [key, value] : binary.items()) {
      values[key] = kube::base64_decode(value.get<std::string>());
    }
  }
  if (!source.contains("items")) {
    for (auto& [key, value] : values) add_file(files, key, value, default_mode);
    return;
  }
  for (const auto& item : source["items"]) {
    const std::string key = item.value("key", "");
    auto found = values.find(key);
    if (found == values.end()) {
      if (optional) continue;
      throw ContainerConfigError("configured key " + key + " not found in " + kind + " " + ns +
                                 "/" + name);
    }
    add_file(files, item.value("path", key), found->second, mode_of(item, "mode", default_mode));
  }
}

void render_downward_items(const Json& pod, const Json& items, const PodRuntimeFacts& facts,
                           mode_t default_mode, std::vector<VolumeFile>& files) {
  for (const auto& item : items) {
    std::string content;
    if (item.contains("fieldRef")) {
      content = resolve_field_path(pod, item["fieldRef"].value("fieldPath", ""), facts);
    } else if (item.contains("resourceFieldRef")) {
      const Json& ref = item["resourceFieldRef"];
      content = resolve_resource_field(pod, ref.value("containerName", ""), ref, facts);
    } else {
      throw ContainerConfigError("downwardAPI item " + item.value("path", "") +
                                 ": needs fieldRef or resourceFieldRef");
    }
    add_file(files, item.value("path", ""), content, mode_of(item, "mode", default_mode));
  }
}

void render_token(const Json& pod, const Json& source, TokenSource& tokens, mode_t mode,
                  std::chrono::system_clock::time_point now, RenderedVolume& out) {
  TokenRequestSpec spec;
  spec.ns = pod["metadata"].value("namespace", "default");
  spec.service_account = pod["spec"].value("serviceAccountName", "default");
  spec.audience = source.value("audience", "");
  spec.expiration_seconds = source.value("expirationSeconds", int64_t{3600});
  spec.pod_name = pod["metadata"].value("name", "");
  spec.pod_uid = pod["metadata"].value("uid", "");
  IssuedToken issued = tokens.request_token(spec);
  add_file(out.files, source.value("path", "token"), issued.token, mode);
  // Renew at 80% of the lifetime, as the kubelet does.
  auto lifetime = issued.expires_at - now;
  auto refresh = now + lifetime * 8 / 10;
  if (!out.refresh_at || refresh < *out.refresh_at) out.refresh_at = refresh;
}

}  // namespace

bool is_safe_relative_path(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0 && end - start == 2) return false;
    start = end + 1;
  }
  return true;
}

RenderedVolume render_volume(const Json& pod, const Json& volume, ObjectSource& objects,
                             TokenSource& tokens, const PodRuntimeFacts& facts,
                             std::chrono::system_clock::time_point now) {
  const std::string ns = pod["metadata"].value("namespace", "default");
  RenderedVolume out;
  if (volume.contains("emptyDir")) {
    out.kind = VolumeKind::EmptyDir;
  } else if (volume.contains("hostPath")) {
    out.kind = VolumeKind::HostPath;
    out.host_path = volume["hostPath"].value("path", "");
  } else if (volume.contains("configMap")) {
    const Json& source = volume["configMap"];
    render_key_files(source, false, ns, objects, mode_of(source, "defaultMode", kDefaultMode),
                     out.files);
  } else if (volume.contains("secret")) {
    Json source = volume["secret"];
    source["name"] = source.value("secretName", "");
    render_key_files(source, true, ns, objects, mode_of(source, "defaultMode", kDefaultMode),
                     out.files);
  } else if (volume.contains("downwardAPI")) {
    const Json& source = volume["downwardAPI"];
    render_downward_items(pod, source.value("items", Json::array()), facts,
                          mode_of(source, "defaultMode", kDefaultMode), out.files);
  } else if (volume.contains("projected")) {
    const Json& projected = volume["projected"];
    const mode_t default_mode = mode_of(projected, "defaultMode", kDefaultMode);
    for (const auto& source : projected.value("sources", Json::array())) {
      if (source.contains("configMap")) {
        render_key_files(source["configMap"], false, ns, objects, default_mode, out.files);
      } else if (source.contains("secret")) {
        render_key_files(source["secret"], true, ns, objects, default_mode, out.files);
      } else if (source.contains("downwardAPI")) {
        render_downward_items(pod, source["downwardAPI"].value("items", Json::array()), facts,
                              default_mode, out.files);
      } else if (source.contains("serviceAccountToken")) {
        render_token(pod, source["serviceAccountToken"], tokens, default_mode, now, out);
      } else {
        throw ContainerConfigError("volume " + volume.value("name", "") +
                                   ": unsupported projected source " + source.dump());
      }
    }
  } else {
    Json kinds = volume;
    kinds.erase("name");
    throw ContainerConfigError("volume " + volume.value("name", "") + ": unsupported type " +
                               (kinds.empty() ? std::string("(none)") : kinds.begin().key()));
  }
  return out;
}

}  // namespace kubedbt::node_agent
