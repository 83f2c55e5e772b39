// Reading and deleting the Kubernetes objects the reconcilers see as JSON: labels, owners, the
// pods of a Job, Job conditions, and deletes that tolerate an object already gone.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kube/client.h"
#include "operator/runtime/object_cache.h"

namespace kubedbt::op {

// The value of label `key` on `object`, or "" when it has none.
std::string label_of(const nlohmann::json& object, std::string_view key);

// Whether `object` has an owner reference with this uid.
bool is_owned_by(const nlohmann::json& object, std::string_view owner_uid);

// The controller owner reference of `object` of `kind` (e.g. "Job"), or nullptr.
const nlohmann::json* controller_of_kind(const nlohmann::json& object, std::string_view kind);

// The cached pods of Job `job` in `ns` (by the Job controller's job-name label).
std::vector<nlohmann::json> pods_of_job(const ObjectCache& cache, const std::string& ns,
                                        const std::string& job);

// The condition of `type` with status "True" in a Job's status, or nullptr; points into `job`.
const nlohmann::json* true_condition(const nlohmann::json& job, std::string_view type);

// Deletes an object with background propagation (its children follow); one already gone is
// not an error. Returns whether this call deleted it.
bool delete_in_background(kube::Client& client, const kube::Resource& resource,
                          const std::string& ns, const std::string& name);

}  // namespace kubedbt::op
