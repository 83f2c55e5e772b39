// What every reconciler is handed: its client, cache, clock, settings and event recorder.
#pragma once

#include <chrono>
#include <optional>

#include "api/json_codec.h"
#include "common/log.h"
#include "kube/client.h"
#include "operator/core/operator_config.h"
#include "operator/runtime/clock.h"
#include "operator/runtime/event_recorder.h"
#include "operator/runtime/object_cache.h"

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

// Decodes a cached object with `decode`; an object the API types cannot read is logged (kind,
// namespace/name, why) and yields nothing, so the reconciler drops the key instead of failing it.
template <typename Decode>
auto decode_or_log(Decode decode, const kube::Json& object, std::string_view kind,
                   const std::string& ns, const std::string& name)
    -> std::optional<decltype(decode(object))> {
  try {
    return decode(object);
  } catch (const api::DecodeError& e) {
    log::error("cannot decode " + std::string(kind),
               {{"namespace", ns}, {"name", name}, {"error", e.what()}});
    return std::nullopt;
  }
}

}  // namespace kubedbt::op
