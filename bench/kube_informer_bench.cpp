// Informer benchmark: 5,000 ConfigMaps created, listed (paged), then updated through the API while
// an informer watches; prints requests/s, events/s and peak RSS. Asserts nothing.
//
//   tests/cluster/cluster.sh --dir DIR up && KUBEDBT_CLUSTER_DIR=DIR
//   build/bench/kube_informer_bench
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"
#include "kube/informer.h"
#include "tests/cluster/support/test_cluster.h"

namespace {

using namespace kubedbt;
using Clock = std::chrono::steady_clock;

constexpr int kObjects = 5000;
constexpr int kWorkers = 8;  // concurrent requests, all through one pooled client

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs work(i) for i in [0, count) on kWorkers threads.
void in_parallel(int count, const std::function<void(int)>& work) {
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      for (int i = next++; i < count; i = next++) work(i);
    });
  }
  for (auto& worker : workers) worker.join();
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

std::string name_of(int i) { return "bench-" + std::to_string(i); }

}  // namespace

int main() {
  kubedbt::log::init("kube_informer_bench", "warn");
  const auto& cluster = testing::TestCluster::get();
  auto client = cluster.admin_client();
  testing::TestNamespace ns(*client, "bench");
  const kube::Resource& cms = kube::resources::kConfigMaps;

  auto start = Clock::now();
  in_parallel(kObjects, [&](int i) {
    client->create(cms, ns.name(),
                   {{"metadata", {{"name", name_of(i)}, {"labels", {{"bench", "yes"}}}}},
                    {"data", {{"value", "0"}}}});
  });
  double create_s = seconds_since(start);

  kube::ListOptions selected;
  selected.label_selector = "bench=yes";
  start = Clock::now();
  kube::ListResult listed = client->list_all(cms, ns.name(), selected, 500);
  double list_s = seconds_since(start);

  kube::InformerOptions options;
  options.ns = ns.name();
  options.label_selector = "bench=yes";
  kube::Informer informer(*client, cms, options);
  std::mutex mu;
  std::condition_variable all_seen;
  int updates_seen = 0;
  Clock::time_point last_event;
  informer.add_handlers({nullptr,
                         [&](const kube::Json& before, const kube::Json& after) {
                           if (before["data"] == after["data"]) return;
                           std::lock_guard lock(mu);
                           last_event = Clock::now();
                           if (++updates_seen == kObjects) all_seen.notify_all();
                         },
                         nullptr});
  start = Clock::now();
  informer.start();
  informer.wait_for_sync(std::chrono::minutes(5));
  double sync_s = seconds_since(start);

  auto updates_start = Clock::now();
  in_parallel(kObjects, [&](int i) {
    client->merge_patch(cms, ns.name(), name_of(i), {{"data", {{"value", "1"}}}});
  });
  double update_s = seconds_since(updates_start);
  {
    std::unique_lock lock(mu);
    all_seen.wait_for(lock, std::chrono::minutes(5), [&] { return updates_seen == kObjects; });
  }
  double events_s = std::chrono::duration<double>(last_event - updates_start).count();
  kube::Informer::Stats stats = informer.stats();
  informer.stop();

  std::printf("kube_informer_bench: %d ConfigMaps, %d concurrent requests, one pooled client\n",
              kObjects, kWorkers);
  std::printf("  create   %6d requests in %7.2f s  %8.0f requests/s\n", kObjects, create_s,
              kObjects / create_s);
  std::printf("  list     %6zu items    in %7.2f s  %8.0f items/s (pages of 500)\n",
              listed.items.size(), list_s, listed.items.size() / list_s);
  std::printf("  informer synced %zu objects in %.2f s\n", informer.size(), sync_s);
  std::printf("  update   %6d requests in %7.2f s  %8.0f requests/s\n", kObjects, update_s,
              kObjects / update_s);
  std::printf("  events   %6d seen     in %7.2f s  %8.0f events/s (first update to last event)\n",
              updates_seen, events_s, updates_seen / events_s);
  std::printf(
      "  informer stats: lists=%llu watches=%llu events=%llu relists_after_gone=%llu "
      "reconnects=%llu\n",
      static_cast<unsigned long long>(stats.lists), static_cast<unsigned long long>(stats.watches),
      static_cast<unsigned long long>(stats.events),
      static_cast<unsigned long long>(stats.relists_after_gone),
      static_cast<unsigned long long>(stats.reconnects));
  std::printf("  peak RSS %ld KiB\n", peak_rss_kib());
  return 0;  // the namespace (and its ConfigMaps) is deleted as `ns` goes out of scope
}
