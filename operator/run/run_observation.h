// What the cluster says about a run when the runner could not say it: the phase and one
// sentence, derived from the Job's conditions and its pod's state.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
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

// The reasons observe_run ends a run with while its Job is still active: the pod never ran the
// runner, and would run it once the image, Secret or node appears unless the Job is stopped.
namespace observed_reason {
inline constexpr std::string_view kImagePullFailed = "ImagePullFailed";
inline constexpr std::string_view kContainerNotStarted = "ContainerNotStarted";
inline constexpr std::string_view kPodNeverStarted = "PodNeverStarted";
}  // namespace observed_reason

// Whether `reason` is one of observed_reason's: the run ended before its pod ran.
bool ended_before_the_pod_ran(std::string_view reason);

// A pod that has not started after this long is reported as never started.
inline constexpr std::chrono::minutes kPodStartTimeout{10};

// `job` is null when the Job does not exist yet; `pods` are the Job's pods; `timeout` is the
// run's spec.timeout, quoted in a TimedOut message.
RunObservation observe_run(const nlohmann::json& job, const std::vector<nlohmann::json>& pods,
                           const std::optional<std::string>& timeout, api::Timestamp now);

}  // namespace kubedbt::op
