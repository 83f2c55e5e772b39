// Accessors over objects as JSON; pointers returned point into the argument, never a copy.
#include "operator/core/object_access.h"

#include "kube/errors.h"
#include "operator/core/kinds.h"

namespace kubedbt::op {

using Json = nlohmann::json;

std::string label_of(const Json& object, std::string_view key) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return "";
  auto value = labels->find(std::string(key));
  return value != labels->end() && value->is_string() ? value->get<std::string>() : "";
}

bool is_owned_by(const Json& object, std::string_view owner_uid) {
  const auto& meta = object.value("metadata", Json::object());
  for (const auto& ref : meta.value("ownerReferences", Json::array())) {
    if (ref.value("uid", "") == owner_uid) return true;
  }
  return false;
}

const Json* controller_of_kind(const Json& object, std::string_view kind) {
  auto meta = object.find("metadata");
  if (meta == object.end()) return nullptr;
  auto refs = meta->find("ownerReferences");
  if (refs == meta->end() || !refs->is_array()) return nullptr;
  for (const auto& ref : *refs) {
    if (ref.value("kind", "") == kind && ref.value("controller", false)) return &ref;
  }
  return nullptr;
}

std::vector<Json> pods_of_job(const ObjectCache& cache, const std::string& ns,
                              const std::string& job) {
  std::vector<Json> pods;
  for (auto& pod : cache.list(kube::resources::kPods, ns)) {
    if (label_of(pod, label::kJobName) == job) pods.push_back(std::move(pod));
  }
  return pods;
}

const Json* true_condition(const Json& job, std::string_view type) {
  auto status = job.find("status");
  if (status == job.end() || !status->is_object()) return nullptr;
  auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) return nullptr;
  for (const auto& c : *conditions) {
    if (c.value("type", "") == type && c.value("status", "") == "True") return &c;
  }
  return nullptr;
}

bool delete_in_background(kube::Client& client, const kube::Resource& resource,
                          const std::string& ns, const std::string& name) {
  kube::DeleteOptions opts;
  opts.propagation_policy = "Background";
  try {
    client.remove(resource, ns, name, opts);
    return true;
  } catch (const kube::NotFound&) {
    return false;
  }
}

}  // namespace kubedbt::op
