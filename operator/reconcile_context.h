// What every reconciler is handed: its client, cache, clock, settings and event recorder.
#pragma once

#include <chrono>
#include <optional>

#include "kube/client.h"
#include "operator/clock.h"
#include "operator/event_recorder.h"
#include "operator/object_cache.h"
#include "operator/operator_config.h"

namespace kubedbt::op {

struct ReconcileContext {
  kube::Client& client;
  const ObjectCache& cache;
  const Clock& clock;
  const OperatorConfig& config;
  EventRecorder& events;
};

// What a reconcile asks of the queue; exceptions mean "failed, back off".
struct ReconcileResult {
  std::optional<std::chrono::milliseconds> requeue_after;
};

// A stale view (AlreadyExists, Conflict) is retried this soon, not reported as an error.
inline constexpr std::chrono::milliseconds kStaleViewRetry{1000};

}  // namespace kubedbt::op
