// RecordingClient: every verb records an ApiCall first, so a call that fails is still seen.
#include "tests/unit/operator/recording_client.h"

namespace kubedbt::op::testing {
namespace {

using Json = nlohmann::json;

std::string resource_of(const kube::Resource& r, const std::string& subresource) {
  return subresource.empty() ? r.resource : r.resource + "/" + subresource;
}

std::string name_of(const Json& object) {
  const auto& meta = object.value("metadata", Json::object());
  return meta.value("name", meta.value("generateName", ""));
}

kube::Status status(int code, std::string reason, std::string message) {
  kube::Status s;
  s.code = code;
  s.reason = std::move(reason);
  s.message = std::move(message);
  return s;
}

}  // namespace

std::string ApiCall::line() const { return verb + " " + resource + " " + ns + "/" + name; }

kube::Status already_exists_status() {
  return status(409, "AlreadyExists", "the object already exists");
}

kube::Status conflict_status() {
  return status(409, "Conflict",
                "Operation cannot be fulfilled: the object has been modified; please apply your "
                "changes to the latest version and try again");
}

kube::Status not_found_status() { return status(404, "NotFound", "the object does not exist"); }

void RecordingClient::serve(const kube::Resource& resource, Json object) {
  served_.put(resource, std::move(object));
}

void RecordingClient::fail(const std::string& verb, const std::string& resource,
                           kube::Status status) {
  failures_[{verb, resource}] = std::move(status);
}

std::vector<std::string> RecordingClient::lines() const {
  std::vector<std::string> out;
  for (const auto& call : calls_) out.push_back(call.line());
  return out;
}

void RecordingClient::record(ApiCall call) {
  calls_.push_back(std::move(call));
  const auto& made = calls_.back();
  auto failure = failures_.find({made.verb, made.resource});
  if (failure != failures_.end()) kube::throw_api_error(made.line(), failure->second);
}

Json RecordingClient::get(const kube::Resource& r, const std::string& ns, const std::string& name,
                          const kube::GetOptions&) {
  record({"get", r.resource, ns, name, nullptr, nullptr});
  auto object = served_.get(r, ns, name);
  if (!object) kube::throw_api_error(calls_.back().line(), not_found_status());
  return *object;
}

kube::ListResult RecordingClient::list(const kube::Resource& r, const std::string& ns,
                                       const kube::ListOptions&) {
  record({"list", r.resource, ns, "", nullptr, nullptr});
  return {served_.list(r, ns), "", ""};
}

kube::ListResult RecordingClient::list_all(const kube::Resource& r, const std::string& ns,
                                           kube::ListOptions opts, int64_t) {
  return list(r, ns, opts);
}

Json RecordingClient::create(const kube::Resource& r, const std::string& ns, const Json& object,
                             const std::string& subresource, const std::string& name) {
  record({"create", resource_of(r, subresource), ns, name.empty() ? name_of(object) : name, object,
          nullptr});
  return object;
}

Json RecordingClient::update(const kube::Resource& r, const std::string& ns, const Json& object,
                             const std::string& subresource) {
  record({"update", resource_of(r, subresource), ns, name_of(object), object, nullptr});
  return object;
}

Json RecordingClient::merge_patch(const kube::Resource& r, const std::string& ns,
                                  const std::string& name, const Json& patch,
                                  const std::string& subresource) {
  record({"merge_patch", resource_of(r, subresource), ns, name, patch, nullptr});
  return patch;
}

Json RecordingClient::apply(const kube::Resource& r, const std::string& ns, const Json& object,
                            const kube::ApplyOptions& opts, const std::string& subresource) {
  record({"apply",
          resource_of(r, subresource),
          ns,
          name_of(object),
          object,
          {{"fieldManager", opts.field_manager}, {"force", opts.force}}});
  return object;
}

Json RecordingClient::remove(const kube::Resource& r, const std::string& ns,
                             const std::string& name, const kube::DeleteOptions& opts) {
  Json options = Json::object();
  if (opts.propagation_policy) options["propagationPolicy"] = *opts.propagation_policy;
  record({"remove", r.resource, ns, name, nullptr, options});
  return Json::object();
}

std::string RecordingClient::watch(
    const kube::Resource& r, const std::string& ns, const kube::WatchOptions&,
    const std::function<kube::WatchControl(const kube::WatchEvent&)>&, std::stop_token) {
  record({"watch", r.resource, ns, "", nullptr, nullptr});
  return "";
}

Json RecordingClient::request(const std::string& method, const std::string& path_and_query,
                              const std::optional<Json>& body, const std::string&) {
  record({"request", method + " " + path_and_query, "", "", body.value_or(nullptr), nullptr});
  return nullptr;
}

}  // namespace kubedbt::op::testing
