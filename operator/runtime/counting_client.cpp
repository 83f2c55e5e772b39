// CountingClient: one atomic counter per verb, then delegation.
#include "operator/runtime/counting_client.h"

namespace kubedbt::op {
namespace {
constexpr const char* kVerbNames[] = {"get",   "list",   "create", "update", "patch",
                                      "apply", "delete", "watch",  "request"};
}

CountingClient::CountingClient(std::unique_ptr<kube::Client> inner) : inner_(std::move(inner)) {}

kube::Json CountingClient::get(const kube::Resource& r, const std::string& ns,
                               const std::string& name, const kube::GetOptions& opts) {
  count(Get);
  return inner_->get(r, ns, name, opts);
}
kube::ListResult CountingClient::list(const kube::Resource& r, const std::string& ns,
                                      const kube::ListOptions& opts) {
  count(List);
  return inner_->list(r, ns, opts);
}
kube::ListResult CountingClient::list_all(const kube::Resource& r, const std::string& ns,
                                          kube::ListOptions opts, int64_t page_size) {
  count(List);
  return inner_->list_all(r, ns, std::move(opts), page_size);
}
kube::Json CountingClient::create(const kube::Resource& r, const std::string& ns,
                                  const kube::Json& object, const std::string& subresource,
                                  const std::string& name) {
  count(Create);
  return inner_->create(r, ns, object, subresource, name);
}
kube::Json CountingClient::update(const kube::Resource& r, const std::string& ns,
                                  const kube::Json& object, const std::string& subresource) {
  count(Update);
  return inner_->update(r, ns, object, subresource);
}
kube::Json CountingClient::merge_patch(const kube::Resource& r, const std::string& ns,
                                       const std::string& name, const kube::Json& patch,
                                       const std::string& subresource) {
  count(Patch);
  return inner_->merge_patch(r, ns, name, patch, subresource);
}
kube::Json CountingClient::apply(const kube::Resource& r, const std::string& ns,
                                 const kube::Json& object, const kube::ApplyOptions& opts,
                                 const std::string& subresource) {
  count(Apply);
  return inner_->apply(r, ns, object, opts, subresource);
}
kube::Json CountingClient::remove(const kube::Resource& r, const std::string& ns,
                                  const std::string& name, const kube::DeleteOptions& opts) {
  count(Delete);
  return inner_->remove(r, ns, name, opts);
}
std::string CountingClient::watch(
    const kube::Resource& r, const std::string& ns, const kube::WatchOptions& opts,
    const std::function<kube::WatchControl(const kube::WatchEvent&)>& on_event,
    std::stop_token stop) {
  count(Watch);
  return inner_->watch(r, ns, opts, on_event, stop);
}
kube::Json CountingClient::request(const std::string& method, const std::string& path_and_query,
                                   const std::optional<kube::Json>& body,
                                   const std::string& content_type) {
  count(Raw);
  return inner_->request(method, path_and_query, body, content_type);
}

std::map<std::string, std::uint64_t> CountingClient::counts() const {
  std::map<std::string, std::uint64_t> out;
  for (int v = 0; v < kVerbs; ++v) out[kVerbNames[v]] = counts_[v].load();
  return out;
}

std::string CountingClient::render() const {
  std::string out =
      "# HELP kubedbt_api_requests_total Requests to the API server, by verb.\n"
      "# TYPE kubedbt_api_requests_total counter\n";
  for (const auto& [verb, n] : counts()) {
    out += "kubedbt_api_requests_total{verb=\"" + verb + "\"} " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace kubedbt::op
