// The one sentence a person needs about a run: what happened and, when it failed, where and why.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "runner/dbt/retry_policy.h"
#include "runner/status/run_summary.h"

namespace kubedbt::runner {

// "model.shop.fct_orders" -> "fct_orders"; "source.shop.raw.orders" -> "raw.orders";
// "test.shop.not_null_fct_orders_amount.1a2b3c" -> "not_null_fct_orders_amount".
std::string display_name(const std::string& unique_id);

// "Built 5 models and 2 seeds; 20 tests passed, 1 warned; 3 sources fresh."
std::string success_message(const Summary& summary);

// Why `command` failed, from its last attempt (nodes first, then dbt's own error).
std::string failure_message(const std::string& command, const AttemptOutcome& last);

// dbt's multi-line error text condensed to one line of at most `limit` characters.
std::string one_line(const std::string& text, size_t limit = 400);

}  // namespace kubedbt::runner
