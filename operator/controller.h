// Controller wiring: informers on the kubedbt kinds and their managed children, handlers that
// map every event to the key of the resource to reconcile, and the workers that drain the queues.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "kube/informer.h"
#include "operator/core/operator_config.h"
#include "operator/core/reconcile_context.h"
#include "operator/runtime/clock.h"
#include "operator/runtime/event_recorder.h"
#include "operator/runtime/metrics.h"
#include "operator/runtime/object_cache.h"
#include "operator/runtime/work_queue.h"

namespace kubedbt::op {

struct ControllerOptions {
  std::vector<std::string> namespaces;  // empty: all namespaces
  int workers = 2;                      // per kind
  WorkQueueOptions queue;
};

class Controller {
 public:
  Controller(kube::Client& client, const Clock& clock, OperatorConfig config,
             ControllerOptions options, Metrics& metrics);
  ~Controller();  // stops workers and informers

  // Starts every informer; returns whether all synced within `timeout`.
  bool start_informers(std::chrono::milliseconds timeout);
  bool synced() const;
  // Starts the workers (only the leader calls this) after queueing every cached object.
  void start_workers();
  // Shuts the queues down and joins the workers; reconciles in flight finish first.
  void stop_workers();

  const ObjectCache& cache() const;
  std::size_t queue_depth() const;
  // The scrape-time gauges (queue depth, runs by phase, last success, test failures, freshness).
  std::string gauges() const;

 private:
  class InformerCache;
  struct Kind {
    std::string name;
    std::unique_ptr<WorkQueue> queue;
    ReconcileResult (*reconcile)(const ReconcileContext&, const std::string&, const std::string&);
  };
  void wire_handlers();
  void enqueue(Kind& kind, const nlohmann::json& object);
  void enqueue_key(Kind& kind, const std::string& ns, const std::string& name);
  void on_child(const nlohmann::json& object);
  void on_project(const nlohmann::json& project);
  void count_anomalies(const nlohmann::json& run);
  void worker(Kind& kind);

  kube::Client& client_;
  const Clock& clock_;
  OperatorConfig config_;
  ControllerOptions options_;
  Metrics& metrics_;
  ApiEventRecorder events_;
  std::unique_ptr<InformerCache> cache_;
  std::unique_ptr<ReconcileContext> context_;
  Kind projects_, schedules_, runs_;
  std::vector<std::thread> workers_;
  std::atomic<bool> workers_started_{false};
};

}  // namespace kubedbt::op
