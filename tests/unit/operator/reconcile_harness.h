// What a reconcile test hands a reconciler: a cache it fills with fixture JSON, a client that
// records every call, a clock fixed at testing::kNow and Events recorded as calls of that client.
#pragma once

#include "operator/core/reconcile_context.h"
#include "operator/runtime/clock.h"
#include "operator/runtime/event_recorder.h"
#include "tests/unit/operator/fixtures.h"
#include "tests/unit/operator/map_object_cache.h"
#include "tests/unit/operator/recording_client.h"

namespace kubedbt::op::testing {

struct ReconcileHarness {
  MapObjectCache cache;
  RecordingClient client;
  FixedClock clock{kNow};
  OperatorConfig config;
  ApiEventRecorder events{client};

  ReconcileContext context() { return {client, cache, clock, config, events}; }
};

}  // namespace kubedbt::op::testing
