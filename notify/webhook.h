// The generic JSON webhook: a stable, documented body and its signature headers.
//
// Body (schema "kubedbt.io/notification/v1"; fields are only ever added):
//   {"schema": "kubedbt.io/notification/v1",
//    "events": ["failure", "testFailure"],           // this destination's events of the run
//    "project": "shop", "target": "prod",
//    "run": {"namespace": "data", "name": "nightly-29000000"},   // null in local mode
//    "phase": "Failed",                              // Succeeded | Failed | TimedOut | Cancelled
//    "message": "1 data test failed: ...",
//    "summary": {"models": {"success", "error", "skipped"},
//                "tests": {"pass", "fail", "warn", "error"},
//                "freshness": {"pass", "warn", "error"}, "rowsAffected": 0},
//    "failures": [{"node": "test.shop.x", "name": "x", "message": "..."}],   // at most 10
//    "failuresOmitted": 0,
//    "anomalies": [{"kind": "RowCount", "node": "model.shop.y", "message": "..."}],
//    "title": "...", "text": "...",                  // the words the other channels send
//    "describeCommand": "kubectl describe dbtrun -n data nightly-29000000"}   // "" locally
// Headers:
//   X-Kubedbt-Delivery: <random id, the same on every retry of one delivery>
//   X-Kubedbt-Timestamp: <Unix seconds when the delivery was composed>
//   X-Kubedbt-Signature: sha256=<hex HMAC-SHA256(key, "<timestamp>.<body>")>   (with hmacEnv)
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "notify/event.h"
#include "notify/message.h"
#include "notify/run_outcome.h"

namespace kubedbt::notify {

inline constexpr const char* kWebhookSchema = "kubedbt.io/notification/v1";

nlohmann::json webhook_payload(const RunOutcome& outcome, const std::vector<Event>& events,
                               const Message& message);

// The headers above for `body`; the signature only when `hmac_key` is not empty.
std::vector<std::string> webhook_headers(const std::string& body, const std::string& hmac_key,
                                         const std::string& delivery_id,
                                         const std::string& timestamp);

}  // namespace kubedbt::notify
