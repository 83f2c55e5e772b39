// A list+watch cache of one resource with event handlers, like client-go's shared informer.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"

namespace kubedbt::kube {

struct InformerOptions {
  std::string ns;  // "" = all namespaces
  std::string label_selector;
  std::string field_selector;
  bool metadata_only = false;
  std::chrono::milliseconds resync_period{0};  // 0 = never; otherwise on_update(obj, obj) for all
  int watch_timeout_seconds = 300;
  std::chrono::milliseconds min_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
};

// Handlers run on the informer's own thread, in the order events happened; they must not block
// long.
struct InformerHandlers {
  std::function<void(const Json&)> on_add;
  std::function<void(const Json& old_obj, const Json& new_obj)> on_update;
  std::function<void(const Json&)> on_delete;  // the last known state of the object
};

// Keeps an up-to-date copy of every matching object. After a dropped connection it reconnects
// with exponential backoff and resumes from the last resourceVersion; after 410 Gone it lists
// again and delivers the difference (adds, updates, deletes) so handlers never miss a change.
class Informer {
 public:
  Informer(Client& client, Resource resource, InformerOptions options = {});
  ~Informer();  // stops and joins
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void add_handlers(InformerHandlers handlers);  // before start()
  void start();
  void stop();
  // Blocks until the first list is in the cache and delivered to the handlers, or the timeout
  // passes; returns whether synced.
  bool wait_for_sync(std::chrono::milliseconds timeout);
  bool has_synced() const;

  std::optional<Json> get(const std::string& ns, const std::string& name) const;
  std::vector<Json> list() const;
  std::size_t size() const;

  // Counters for tests, metrics and benchmarks.
  struct Stats {
    uint64_t lists = 0;
    uint64_t watches = 0;
    uint64_t events = 0;
    uint64_t relists_after_gone = 0;
    uint64_t reconnects = 0;
  };
  Stats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// "ns/name", or "name" for cluster-scoped objects: the key informers and work queues use.
std::string object_key(const Json& object);

}  // namespace kubedbt::kube
