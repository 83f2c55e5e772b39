// Run observation: the phase and message the cluster's Job and pods imply.
#include "operator/run/run_observation.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using testing::job_with;
using testing::kNow;

Json pod_terminated(const std::string& reason, int code, const std::string& message) {
  return {
      {"metadata", {{"name", "p"}}},
      {"spec", {{"containers", Json::array({{{"name", "runner"}, {"image", "r:1"}}})}}},
      {"status",
       {{"phase", "Failed"},
        {"containerStatuses",
         Json::array({{{"name", "runner"},
                       {"state",
                        {{"terminated",
                          {{"reason", reason}, {"exitCode", code}, {"message", message}}}}}}})}}}};
}

TEST(RunObservation, NoJobIsPending) {
  EXPECT_EQ(observe_run(nullptr, {}, std::nullopt, kNow).phase, api::RunPhase::Pending);
}

TEST(RunObservation, CompleteJobSucceeded) {
  auto o = observe_run(job_with("Complete", ""), {}, std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Succeeded);
  EXPECT_EQ(api::format_timestamp(*o.completion_time), "2026-11-25T11:10:00Z");
}

TEST(RunObservation, DeadlineExceededIsTimedOutAndQuotesTheTimeout) {
  auto o = observe_run(job_with("Failed", "DeadlineExceeded"), {}, "10m", kNow);
  EXPECT_EQ(o.phase, api::RunPhase::TimedOut);
  EXPECT_EQ(o.message, "The run exceeded its timeout of 10m and was stopped.");
}

TEST(RunObservation, OomKilledIsNamed) {
  auto o = observe_run(job_with("Failed", "BackoffLimitExceeded"),
                       {pod_terminated("OOMKilled", 137, "")}, std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Failed);
  EXPECT_EQ(o.reason, "OOMKilled");
  EXPECT_NE(o.message.find("memory"), std::string::npos);
}

TEST(RunObservation, FailedRunnerQuotesItsTerminationMessage) {
  auto o =
      observe_run(job_with("Failed", "BackoffLimitExceeded"),
                  {pod_terminated("Error", 2, "invalid run spec: target.host: is required\nmore")},
                  std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Failed);
  EXPECT_EQ(o.message,
            "The runner exited with code 2: invalid run spec: target.host: is required.");
}

TEST(RunObservation, ImagePullFailureFailsTheRun) {
  Json pod = {{"metadata", {{"name", "p"}}},
              {"spec", {{"containers", Json::array({{{"name", "runner"}, {"image", "nope:1"}}})}}},
              {"status",
               {{"phase", "Pending"},
                {"containerStatuses",
                 Json::array({{{"name", "runner"},
                               {"state", {{"waiting", {{"reason", "ImagePullBackOff"}}}}}}})}}}};
  auto o = observe_run(Json{{"metadata", {{"name", "j"}}}, {"status", Json::object()}}, {pod},
                       std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Failed);
  EXPECT_EQ(o.message, "The runner image nope:1 could not be pulled (ImagePullBackOff).");
}

TEST(RunObservation, PodThatNeverStartedFailsAfterTenMinutes) {
  Json pod = {{"metadata", {{"name", "p"}, {"creationTimestamp", "2026-11-25T11:00:00Z"}}},
              {"status",
               {{"phase", "Pending"},
                {"conditions", Json::array({{{"type", "PodScheduled"},
                                             {"status", "False"},
                                             {"message", "0/1 nodes are available"}}})}}}};
  Json job = {{"metadata", {{"name", "j"}}}, {"status", Json::object()}};
  EXPECT_EQ(
      observe_run(job, {pod}, std::nullopt, *api::parse_timestamp("2026-11-25T11:05:00Z")).phase,
      api::RunPhase::Pending);
  auto o = observe_run(job, {pod}, std::nullopt, kNow);
  EXPECT_EQ(o.phase, api::RunPhase::Failed);
  EXPECT_NE(o.message.find("0/1 nodes are available"), std::string::npos);
}

}  // namespace
}  // namespace kubedbt::op
