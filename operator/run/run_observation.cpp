// Phase derivation, in the order that explains a failure best: deadline, memory, image, exit.
#include "operator/run/run_observation.h"

#include <set>

#include "operator/core/object_access.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

const std::set<std::string> kImageFailures = {"ErrImagePull", "ImagePullBackOff",
                                              "InvalidImageName", "ErrImageNeverPull"};
const std::set<std::string> kConfigFailures = {"CreateContainerConfigError", "CreateContainerError",
                                               "RunContainerError"};

std::optional<api::Timestamp> time_at(const Json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return api::parse_timestamp(it->get<std::string>());
}

// The runner container's status of a pod, or null.
const Json* runner_status(const Json& pod) {
  auto status = pod.find("status");
  if (status == pod.end() || !status->is_object()) return nullptr;
  auto list = status->find("containerStatuses");
  if (list == status->end() || !list->is_array() || list->empty()) return nullptr;
  for (const auto& s : *list) {
    if (s.value("name", "") == "runner") return &s;
  }
  return &list->front();
}

std::string first_line(const std::string& text) {
  auto end = text.find('\n');
  std::string line = text.substr(0, end);
  if (line.size() > 300) line = line.substr(0, 297) + "...";
  return line;
}

std::string sentence(std::string text) {
  if (!text.empty() && text.back() != '.') text.push_back('.');
  return text;
}

RunObservation finished(api::RunPhase phase, std::string reason, std::string message,
                        const Json& job, const Json* condition) {
  RunObservation o;
  o.phase = phase;
  o.reason = std::move(reason);
  o.message = std::move(message);
  const auto& status = job.value("status", Json::object());
  o.start_time = time_at(status, "startTime");
  o.completion_time = time_at(status, "completionTime");
  if (!o.completion_time && condition)
    o.completion_time = time_at(*condition, "lastTransitionTime");
  return o;
}

}  // namespace

bool ended_before_the_pod_ran(std::string_view reason) {
  return reason == observed_reason::kImagePullFailed ||
         reason == observed_reason::kContainerNotStarted ||
         reason == observed_reason::kPodNeverStarted;
}

RunObservation observe_run(const Json& job, const std::vector<Json>& pods,
                           const std::optional<std::string>& timeout, api::Timestamp now) {
  RunObservation o;
  if (job.is_null()) {
    o.reason = "JobNotCreated";
    return o;
  }
  if (const auto* c = true_condition(job, "Complete")) {
    return finished(api::RunPhase::Succeeded, "JobComplete", "The run's Job completed.", job, c);
  }
  const auto* failed = true_condition(job, "Failed");
  // Pod facts first: they explain a failure better than the Job's summary.
  for (const auto& pod : pods) {
    const auto* s = runner_status(pod);
    if (!s) continue;
    const auto& state = s->value("state", Json::object());
    const auto& last = s->value("lastState", Json::object());
    for (const auto* st : {&state, &last}) {
      if (st->contains("terminated") && (*st)["terminated"].value("reason", "") == "OOMKilled") {
        return finished(api::RunPhase::Failed, "OOMKilled",
                        "The runner was killed for exceeding its memory limit (OOMKilled); raise "
                        "spec.resources.limits.memory of the DbtProject.",
                        job, failed);
      }
    }
    if (state.contains("waiting")) {
      std::string reason = state["waiting"].value("reason", "");
      std::string detail = first_line(state["waiting"].value("message", ""));
      if (kImageFailures.count(reason)) {
        return finished(api::RunPhase::Failed, std::string(observed_reason::kImagePullFailed),
                        "The runner image " + pod["spec"]["containers"][0].value("image", "") +
                            " could not be pulled (" + reason + ")" +
                            (detail.empty() ? "." : ": " + sentence(detail)),
                        job, failed);
      }
      if (kConfigFailures.count(reason)) {
        return finished(api::RunPhase::Failed, std::string(observed_reason::kContainerNotStarted),
                        "The runner container could not start (" + reason + ")" +
                            (detail.empty() ? "." : ": " + sentence(detail)),
                        job, failed);
      }
    }
  }
  if (failed) {
    std::string reason = failed->value("reason", "");
    if (reason == "DeadlineExceeded") {
      return finished(
          api::RunPhase::TimedOut, "DeadlineExceeded",
          "The run exceeded its timeout" + (timeout ? " of " + *timeout : "") + " and was stopped.",
          job, failed);
    }
    for (const auto& pod : pods) {
      const auto* s = runner_status(pod);
      if (!s || !s->value("state", Json::object()).contains("terminated")) continue;
      const auto& t = (*s)["state"]["terminated"];
      std::string message = first_line(t.value("message", ""));
      return finished(api::RunPhase::Failed, "RunnerFailed",
                      "The runner exited with code " + std::to_string(t.value("exitCode", -1)) +
                          (message.empty() ? "." : ": " + sentence(message)),
                      job, failed);
    }
    std::string message = first_line(failed->value("message", ""));
    return finished(api::RunPhase::Failed, reason.empty() ? "JobFailed" : reason,
                    "The run's Job failed" + (message.empty() ? "." : ": " + sentence(message)),
                    job, failed);
  }
  // Still active.
  const auto& status = job.value("status", Json::object());
  o.start_time = time_at(status, "startTime");
  for (const auto& pod : pods) {
    const auto& pod_status = pod.value("status", Json::object());
    if (pod_status.value("phase", "") == "Running") {
      o.phase = api::RunPhase::Running;
      o.reason = "PodRunning";
      return o;
    }
    auto created = time_at(pod.value("metadata", Json::object()), "creationTimestamp");
    if (pod_status.value("phase", "Pending") == "Pending" && created &&
        now - *created > kPodStartTimeout) {
      std::string why;
      for (const auto& c : pod_status.value("conditions", Json::array())) {
        if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False") {
          why = first_line(c.value("message", c.value("reason", "")));
        }
      }
      return finished(api::RunPhase::Failed, std::string(observed_reason::kPodNeverStarted),
                      "The runner pod did not start within 10 minutes" +
                          (why.empty() ? "." : ": " + sentence(why)),
                      job, nullptr);
    }
  }
  o.reason = "PodPending";
  return o;
}

}  // namespace kubedbt::op
