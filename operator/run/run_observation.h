// What the cluster says about a run when the runner could not say it: the phase and one
// sentence, derived from the Job's conditions and its pod's state.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/dbt_run.h"

namespace kubedbt::op {

struct RunObservation {
  api::RunPhase phase = api::RunPhase::Pending;
  std::string reason;   // CamelCase, for the Succeeded condition
  std::string message;  // one sentence; empty while nothing needs saying
  std::optional<api::Timestamp> start_time;
  std::optional<api::Timestamp> completion_time;
};

// A pod that has not started after this long is reported as never started.
inline constexpr std::chrono::minutes kPodStartTimeout{10};

// `job` is null when the Job does not exist yet; `pods` are the Job's pods; `timeout` is the
// run's spec.timeout, quoted in a TimedOut message.
RunObservation observe_run(const nlohmann::json& job, const std::vector<nlohmann::json>& pods,
                           const std::optional<std::string>& timeout, api::Timestamp now);

}  // namespace kubedbt::op
