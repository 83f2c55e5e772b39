// Counting client: every request counted by verb, failed ones too, and passed on unchanged.
#include "operator/runtime/counting_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/operator/recording_client.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

TEST(CountingClient, CountsEveryRequestByVerbAndPassesItOn) {
  auto inner = std::make_unique<testing::RecordingClient>();
  const auto& recorded = *inner;
  CountingClient counting(std::move(inner));
  kube::Client& client = counting;
  const auto& jobs = kube::resources::kJobs;
  Json job = {{"metadata", {{"name", "j"}}}};
  client.create(jobs, "analytics", job);
  client.merge_patch(jobs, "analytics", "j", job);
  client.merge_patch(jobs, "analytics", "j", job, "status");
  EXPECT_THROW(client.get(jobs, "analytics", "gone"), kube::NotFound);
  EXPECT_THAT(
      recorded.lines(),
      ::testing::ElementsAre("create jobs analytics/j", "merge_patch jobs analytics/j",
                             "merge_patch jobs/status analytics/j", "get jobs analytics/gone"));
  auto counts = counting.counts();
  EXPECT_EQ(counts["create"], 1u);
  EXPECT_EQ(counts["patch"], 2u);
  EXPECT_EQ(counts["get"], 1u) << "a failed request is a request";
  EXPECT_EQ(counts["delete"], 0u);
  EXPECT_THAT(counting.render(),
              ::testing::HasSubstr("kubedbt_api_requests_total{verb=\"patch\"} 2\n"));
}

}  // namespace
}  // namespace kubedbt::op
