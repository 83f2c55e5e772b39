// List + watch loop feeding an ObjectStore and the handlers, with relist on Gone and backoff.
#include "kube/informer.h"

#include <algorithm>
#include <condition_variable>
#include <stop_token>

#include "common/log.h"
#include "kube/errors.h"
#include "kube/object_store.h"

namespace kubedbt::kube {

class Informer::Impl {
 public:
  Impl(Client& client, Resource resource, InformerOptions options)
      : client_(client), resource_(std::move(resource)), options_(std::move(options)) {}

  ~Impl() { stop(); }

  void add_handlers(InformerHandlers handlers) {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) {
      throw std::logic_error("Informer::add_handlers: called after start()");
    }
    handlers_.push_back(std::move(handlers));
  }

  void start() {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return;
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
  }

  void stop() {
    std::jthread thread;
    {
      std::lock_guard lock(mu_);
      thread = std::move(thread_);
    }
    if (thread.joinable()) {
      thread.request_stop();
      thread.join();
    }
  }

  bool wait_for_sync(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return synced_cv_.wait_for(lock, timeout, [this] { return synced_; });
  }

  bool has_synced() const {
    std::lock_guard lock(mu_);
    return synced_;
  }

  ObjectStore& store() { return store_; }
  const ObjectStore& store() const { return store_; }

  Stats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  void run(std::stop_token stop) {
    const nlohmann::json where = {{"resource", resource_.resource}, {"namespace", options_.ns}};
    std::string version;
    bool need_list = true;
    auto backoff = options_.min_backoff;
    auto next_resync = std::chrono::steady_clock::now() + options_.resync_period;

    while (!stop.stop_requested()) {
      try {
        if (need_list) {
          version = relist();
          need_list = false;
          backoff = options_.min_backoff;
        }
        WatchOptions watch;
        watch.resource_version = version;
        watch.label_selector = options_.label_selector;
        watch.field_selector = options_.field_selector;
        watch.allow_bookmarks = true;
        watch.metadata_only = options_.metadata_only;
        watch.timeout_seconds = watch_timeout(next_resync);
        count(&Stats::watches);
        client_.watch(
            resource_, options_.ns, watch,
            [&](const WatchEvent& event) {
              if (std::string rv = resource_version_of(event.object); !rv.empty()) version = rv;
              if (event.type != WatchEvent::Type::Bookmark) {
                count(&Stats::events);
                if (auto delta = store_.apply(event)) deliver(*delta);
              }
              maybe_resync(next_resync);
              return WatchControl::Continue;
            },
            stop);
        backoff = options_.min_backoff;
      } catch (const Gone& e) {
        // The resourceVersion was compacted away: list again and deliver the difference.
        log::info("informer relists after Gone", merged(where, {{"error", e.what()}}));
        count(&Stats::relists_after_gone);
        need_list = true;
      } catch (const std::exception& e) {
        count(&Stats::reconnects);
        log::warn("informer reconnects after an error",
                  merged(where, {{"error", e.what()}, {"backoff_ms", backoff.count()}}));
        sleep_for(backoff, stop);
        backoff = std::min(backoff * 2, options_.max_backoff);
      }
      maybe_resync(next_resync);
    }
  }

  // Reads the whole collection and makes the store equal to it, delivering the difference.
  std::string relist() {
    ListOptions list;
    list.label_selector = options_.label_selector;
    list.field_selector = options_.field_selector;
    list.metadata_only = options_.metadata_only;
    ListResult result = client_.list_all(resource_, options_.ns, list);
    count(&Stats::lists);
    std::vector<Delta> deltas = store_.replace(std::move(result.items));
    for (const auto& delta : deltas) deliver(delta);
    // Synced means the cache holds the list and the handlers have seen it.
    {
      std::lock_guard lock(mu_);
      synced_ = true;
    }
    synced_cv_.notify_all();
    return result.resource_version;
  }

  // The server ends the watch in time for the next resync, which runs on this thread.
  int watch_timeout(std::chrono::steady_clock::time_point next_resync) const {
    if (options_.resync_period.count() <= 0) return options_.watch_timeout_seconds;
    auto left =
        std::chrono::ceil<std::chrono::seconds>(next_resync - std::chrono::steady_clock::now());
    return static_cast<int>(
        std::clamp<int64_t>(left.count(), 1, std::max(1, options_.watch_timeout_seconds)));
  }

  void maybe_resync(std::chrono::steady_clock::time_point& next_resync) {
    if (options_.resync_period.count() <= 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now < next_resync) return;
    next_resync = now + options_.resync_period;
    for (const auto& object : store_.list()) {
      deliver(Delta{Delta::Kind::Updated, object, object});
    }
  }

  void deliver(const Delta& delta) {
    for (const auto& handlers : handlers_) {
      try {
        switch (delta.kind) {
          case Delta::Kind::Added:
            if (handlers.on_add) handlers.on_add(delta.new_object);
            break;
          case Delta::Kind::Updated:
            if (handlers.on_update) handlers.on_update(delta.old_object, delta.new_object);
            break;
          case Delta::Kind::Deleted:
            if (handlers.on_delete) handlers.on_delete(delta.old_object);
            break;
        }
      } catch (const std::exception& e) {
        log::error("informer handler failed",
                   {{"resource", resource_.resource}, {"error", e.what()}});
      }
    }
  }

  void sleep_for(std::chrono::milliseconds duration, std::stop_token stop) {
    std::unique_lock lock(mu_);
    std::condition_variable_any wake;
    wake.wait_for(lock, stop, duration, [] { return false; });
  }

  void count(uint64_t Stats::*counter) {
    std::lock_guard lock(mu_);
    ++(stats_.*counter);
  }

  static nlohmann::json merged(nlohmann::json base, const nlohmann::json& extra) {
    base.update(extra);
    return base;
  }

  Client& client_;
  const Resource resource_;
  const InformerOptions options_;
  std::vector<InformerHandlers> handlers_;  // fixed once the thread runs
  ObjectStore store_;

  mutable std::mutex mu_;
  std::condition_variable synced_cv_;
  bool synced_ = false;
  Stats stats_;
  std::jthread thread_;
};

Informer::Informer(Client& client, Resource resource, InformerOptions options)
    : impl_(std::make_unique<Impl>(client, std::move(resource), std::move(options))) {}

Informer::~Informer() = default;

void Informer::add_handlers(InformerHandlers handlers) { impl_->add_handlers(std::move(handlers)); }
void Informer::start() { impl_->start(); }
void Informer::stop() { impl_->stop(); }
bool Informer::wait_for_sync(std::chrono::milliseconds timeout) {
  return impl_->wait_for_sync(timeout);
}
bool Informer::has_synced() const { return impl_->has_synced(); }

std::optional<Json> Informer::get(const std::string& ns, const std::string& name) const {
  return impl_->store().get(ns.empty() ? name : ns + "/" + name);
}
std::vector<Json> Informer::list() const { return impl_->store().list(); }
std::size_t Informer::size() const { return impl_->store().size(); }
Informer::Stats Informer::stats() const { return impl_->stats(); }

}  // namespace kubedbt::kube
