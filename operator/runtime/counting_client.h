// A kube::Client decorator that counts requests by verb, for the requests and writes metrics.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "kube/client.h"

namespace kubedbt::op {

class CountingClient : public kube::Client {
 public:
  explicit CountingClient(std::unique_ptr<kube::Client> inner);

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
  const kube::Config& config() const override { return inner_->config(); }

  // Requests so far by verb: get, list, create, update, patch, apply, delete, watch, request.
  std::map<std::string, std::uint64_t> counts() const;
  // Prometheus text of kubedbt_api_requests_total{verb}.
  std::string render() const;

 private:
  enum Verb { Get, List, Create, Update, Patch, Apply, Delete, Watch, Raw, kVerbs };
  void count(Verb v) { ++counts_[v]; }

  std::unique_ptr<kube::Client> inner_;
  std::atomic<std::uint64_t> counts_[kVerbs] = {};
};

}  // namespace kubedbt::op
