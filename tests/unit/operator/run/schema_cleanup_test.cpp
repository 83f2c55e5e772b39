// Schema clean-up: which runs carry the drop-schema finalizer, and each step of finalize_run with
// the exact API calls it makes.
#include "operator/run/schema_cleanup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/children/workload_builders.h"
#include "operator/core/kinds.h"
#include "tests/unit/operator/fixtures.h"
#include "tests/unit/operator/reconcile_harness.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::job_with;
using testing::kNow;
using testing::kNowText;
using testing::sample_run;

TEST(DropSchemaFinalizer, OnlyForARunWithItsOwnSchemaNotKept) {
  auto run = sample_run();
  EXPECT_FALSE(needs_drop_schema(run));
  run.spec.schema = "ci_pr_7";
  EXPECT_TRUE(needs_drop_schema(run));
  run.spec.keep_schema = true;
  EXPECT_FALSE(needs_drop_schema(run));
  EXPECT_FALSE(has_finalizer(run, kDropSchemaFinalizer));
  run.metadata.other["finalizers"] = Json::array({"other", "kubedbt.io/drop-schema"});
  EXPECT_TRUE(has_finalizer(run, kDropSchemaFinalizer));
  EXPECT_FALSE(is_being_deleted(run));
  run.metadata.other["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_TRUE(is_being_deleted(run));
  EXPECT_EQ(remove_finalizer_command(run),
            "kubectl patch dbtrun manual-1 -n analytics --type=merge -p "
            "'{\"metadata\":{\"finalizers\":null}}'");
}

class RunFinalize : public ::testing::Test {
 protected:
  RunFinalize() {
    run["metadata"]["resourceVersion"] = "9";
    run["metadata"]["deletionTimestamp"] = "2026-11-25T11:55:00Z";
    run["metadata"]["finalizers"] = Json::array({"kubedbt.io/drop-schema"});
    run["spec"]["schema"] = "ci_pr_7";
    run["status"] = {{"jobName", "manual-1"}};
  }

  ReconcileResult finalize() { return finalize_run(h.context(), api::dbt_run_from_json(run)); }

  // The drop-schema Job of the run, as the operator builds it, with `status` unless null.
  Json drop_job(Json status = nullptr) {
    auto job = build_drop_schema_job(api::dbt_run_from_json(run), testing::sample_project(), "dev",
                                     h.config);
    if (!status.is_null()) job["status"] = std::move(status);
    return job;
  }

  // Calls `at` and `at + 1` set SchemaDropped=False for `reason` and record its Event.
  void expect_reported(std::size_t at, const std::string& reason) {
    ASSERT_GT(h.client.calls().size(), at + 1);
    const auto& status = h.client.calls()[at];
    EXPECT_EQ(status.line(), "merge_patch dbtruns/status analytics/manual-1");
    const auto& c = status.body["status"]["conditions"][0];
    EXPECT_EQ(c["type"], "SchemaDropped");
    EXPECT_EQ(c["status"], "False");
    EXPECT_EQ(c["reason"], reason);
    EXPECT_EQ(c["lastTransitionTime"], kNowText);
    EXPECT_EQ(h.client.calls()[at + 1].body["reason"], reason);
  }

  Json run = testing::sample_run_json();
  testing::ReconcileHarness h;
};

TEST_F(RunFinalize, RunsJobIsDeletedFirstAndTheDropWaitsForIt) {
  h.cache.put(kube::resources::kJobs,
              build_job(api::dbt_run_from_json(run), testing::sample_project(), "dev", h.config));
  auto result = finalize();
  EXPECT_EQ(result.requeue_after, std::chrono::seconds(2));
  ASSERT_THAT(h.client.lines(), ElementsAre("remove jobs analytics/manual-1",
                                            "merge_patch dbtruns/status analytics/manual-1",
                                            "create events analytics/manual-1."));
  EXPECT_EQ(h.client.calls()[0].options, Json({{"propagationPolicy", "Background"}}));
  expect_reported(1, "CancellingRun");
}

TEST_F(RunFinalize, RunThatNeverStartedLosesTheFinalizerAtOnce) {
  run["status"] = Json::object();
  auto result = finalize();
  EXPECT_FALSE(result.requeue_after);
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns analytics/manual-1"));
  EXPECT_EQ(h.client.calls()[0].body,
            Json::parse(R"({"metadata": {"finalizers": [], "resourceVersion": "9"}})"));
}

TEST_F(RunFinalize, StartedRunGetsOneDropSchemaJob) {
  h.cache.put(kDbtProjects, testing::sample_project_json());
  auto result = finalize();
  EXPECT_FALSE(result.requeue_after) << "the Job's informer event brings the run back";
  ASSERT_THAT(h.client.lines(), ElementsAre("create jobs analytics/manual-1-drop-schema",
                                            "merge_patch dbtruns/status analytics/manual-1",
                                            "create events analytics/manual-1."));
  EXPECT_EQ(h.client.calls()[0].body, drop_job());
  expect_reported(1, "DroppingSchema");
}

TEST_F(RunFinalize, AlreadyExistsOnTheDropSchemaJobIsAStaleView) {
  h.cache.put(kDbtProjects, testing::sample_project_json());
  h.client.fail("create", "jobs", testing::already_exists_status());
  auto result = finalize();
  EXPECT_EQ(result.requeue_after, kStaleViewRetry);
  EXPECT_THAT(h.client.lines(), ElementsAre("create jobs analytics/manual-1-drop-schema"));
}

TEST_F(RunFinalize, ProjectGoneIsReportedWithTheCommandThatRemovesTheFinalizer) {
  auto result = finalize();
  EXPECT_EQ(result.requeue_after, std::chrono::minutes(1));
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns/status analytics/manual-1",
                                            "create events analytics/manual-1."));
  expect_reported(0, "ProjectNotFound");
  EXPECT_THAT(h.client.calls()[0].body["status"]["conditions"][0]["message"].get<std::string>(),
              HasSubstr("kubectl patch dbtrun manual-1 -n analytics"));
}

TEST_F(RunFinalize, CompletedDropSchemaJobRemovesTheFinalizer) {
  h.cache.put(kube::resources::kJobs, drop_job(job_with("Complete", "")["status"]));
  auto result = finalize();
  EXPECT_FALSE(result.requeue_after);
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns analytics/manual-1",
                                            "create events analytics/manual-1."));
  EXPECT_EQ(h.client.calls()[0].body,
            Json::parse(R"({"metadata": {"finalizers": [], "resourceVersion": "9"}})"));
  EXPECT_EQ(h.client.calls()[1].body["reason"], "SchemaDropped");
}

TEST_F(RunFinalize, FailedDropSchemaJobIsRetriedFiveMinutesAfterItFailed) {
  auto failed = job_with("Failed", "BackoffLimitExceeded")["status"];
  failed["conditions"][0]["lastTransitionTime"] = "2026-11-25T11:58:00Z";
  h.cache.put(kube::resources::kJobs, drop_job(failed));
  EXPECT_EQ(finalize().requeue_after, std::chrono::minutes(3));
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns/status analytics/manual-1",
                                            "create events analytics/manual-1."));
  expect_reported(0, "DropSchemaFailed");

  run["status"]["conditions"] = h.client.calls()[0].body["status"]["conditions"];
  h.clock.set(kNow + std::chrono::minutes(3));
  EXPECT_EQ(finalize().requeue_after, std::chrono::seconds(2));
  ASSERT_EQ(h.client.calls().size(), 3u) << "the failure, reported once, is not written again";
  EXPECT_EQ(h.client.calls()[2].line(), "remove jobs analytics/manual-1-drop-schema");
}

}  // namespace
}  // namespace kubedbt::op
