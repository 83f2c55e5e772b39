// Event recorder: one Event created per occurrence, about the object, and never a failed reconcile.
#include "operator/runtime/event_recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"
#include "tests/unit/operator/recording_client.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

TEST(EventRecorder, CreatesOneEventAboutTheObject) {
  testing::RecordingClient client;
  ApiEventRecorder events(client);
  auto run = testing::sample_run();
  run.metadata.resource_version = "5";
  events.record("DbtRun", run.metadata, "Warning", "ProtectedTarget", "Target prod is protected.");
  ASSERT_THAT(client.lines(), ::testing::ElementsAre("create events analytics/manual-1."));
  const Json& event = client.calls()[0].body;
  EXPECT_EQ(event["involvedObject"], Json::parse(R"({"apiVersion": "kubedbt.io/v1alpha1",
              "kind": "DbtRun", "name": "manual-1", "namespace": "analytics", "uid": "r-uid",
              "resourceVersion": "5"})"));
  EXPECT_EQ(event["type"], "Warning");
  EXPECT_EQ(event["reason"], "ProtectedTarget");
  EXPECT_EQ(event["message"], "Target prod is protected.");
  EXPECT_EQ(event["count"], 1);
  EXPECT_EQ(event["firstTimestamp"], event["lastTimestamp"]);
}

TEST(EventRecorder, AnEventThatCannotBeCreatedIsOnlyLogged) {
  testing::RecordingClient client;
  client.fail("create", "events", testing::not_found_status());
  ApiEventRecorder events(client);
  EXPECT_NO_THROW(events.record("DbtRun", testing::sample_run().metadata, "Normal", "JobCreated",
                                "Created Job manual-1."));
  EXPECT_EQ(client.calls().size(), 1u);
}

}  // namespace
}  // namespace kubedbt::op
