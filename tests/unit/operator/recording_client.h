// A kube::Client for reconcile tests: records every call in order, answers gets from objects the
// test serves, and throws, on request, the typed errors a real cluster returns only when it
// changed behind the operator's cache.
#pragma once

#include <map>
#include <utility>

#include "kube/client.h"
#include "kube/errors.h"
#include "tests/unit/operator/map_object_cache.h"

namespace kubedbt::op::testing {

struct ApiCall {
  std::string verb;  // get, list, create, update, merge_patch, apply, remove, watch, request
  // Plural, then "/" and the subresource if any: "jobs", "dbtruns/status"; for request, the
  // method and path.
  std::string resource;
  std::string ns;
  std::string name;          // for create: the body's metadata.name, else its generateName
  nlohmann::json body;       // the object or patch sent; null for reads and remove
  nlohmann::json options;    // apply: fieldManager, force; remove: propagationPolicy
  std::string line() const;  // "<verb> <resource> <ns>/<name>"
};

// The Statuses the API server answers with (kube::throw_api_error makes them kube::AlreadyExists,
// kube::Conflict and kube::NotFound).
kube::Status already_exists_status();
kube::Status conflict_status();
kube::Status not_found_status();

class RecordingClient : public kube::Client {
 public:
  // What get answers for this object (the API server's copy, not the cache's); an object never
  // served is NotFound.
  void serve(const kube::Resource& resource, nlohmann::json object);
  // Every later `verb` on `resource` (spelled as in ApiCall) is recorded, then fails with the
  // typed error of `status`.
  void fail(const std::string& verb, const std::string& resource, kube::Status status);

  const std::vector<ApiCall>& calls() const { return calls_; }
  // line() of every call, in order.
  std::vector<std::string> lines() const;

  kube::Json get(const kube::Resource& r, const std::string& ns, const std::string& name,
                 const kube::GetOptions& opts) override;
  kube::ListResult list(const kube::Resource& r, const std::string& ns,
                        const kube::ListOptions& opts) override;
  kube::ListResult list_all(const kube::Resource& r, const std::string& ns, kube::ListOptions opts,
                            int64_t page_size) override;
  kube::Json create(const kube::Resource& r, const std::string& ns, const kube::Json& object,
                    const std::string& subresource, const std::string& name) override;
  kube::Json update(const kube::Resource& r, const std::string& ns, const kube::Json& object,
                    const std::string& subresource) override;
  kube::Json merge_patch(const kube::Resource& r, const std::string& ns, const std::string& name,
                         const kube::Json& patch, const std::string& subresource) override;
  kube::Json apply(const kube::Resource& r, const std::string& ns, const kube::Json& object,
                   const kube::ApplyOptions& opts, const std::string& subresource) override;
  kube::Json remove(const kube::Resource& r, const std::string& ns, const std::string& name,
                    const kube::DeleteOptions& opts) override;
  std::string watch(const kube::Resource& r, const std::string& ns, const kube::WatchOptions& opts,
                    const std::function<kube::WatchControl(const kube::WatchEvent&)>& on_event,
                    std::stop_token stop) override;
  kube::Json request(const std::string& method, const std::string& path_and_query,
                     const std::optional<kube::Json>& body,
                     const std::string& content_type) override;
  const kube::Config& config() const override { return config_; }

 private:
  // Appends the call, then throws when fail() named its verb and resource.
  void record(ApiCall call);

  MapObjectCache served_;
  std::map<std::pair<std::string, std::string>, kube::Status> failures_;
  std::vector<ApiCall> calls_;
  kube::Config config_;
};

}  // namespace kubedbt::op::testing
