// DbtRun reconciler: the status patches it writes, the finished runs it prunes, and each decision
// of reconcile_run with the exact API calls it makes.
#include "operator/run/run_reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/children/workload_builders.h"
#include "operator/core/kinds.h"
#include "operator/core/protected_target_guard.h"
#include "tests/unit/operator/fixtures.h"
#include "tests/unit/operator/reconcile_harness.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::job_with;
using testing::kNow;
using testing::kNowText;
using testing::project_with_ready;

TEST(RunStatusPatch, NeverOverwritesAFinishedPhaseTheRunnerWrote) {
  api::DbtRunStatus current;
  current.phase = api::RunPhase::Failed;
  current.message = "3 tests failed.";
  current.job_name = "j";
  current.start_time = kNow;
  RunObservation o;
  o.phase = api::RunPhase::Succeeded;
  o.message = "The run's Job completed.";
  EXPECT_TRUE(run_status_patch(current, o, "j", 1, kNow).is_null());
}

TEST(RunStatusPatch, WritesOnlyWhatChanged) {
  api::DbtRunStatus current;
  current.phase = api::RunPhase::Running;
  current.job_name = "j";
  RunObservation o = observe_run(job_with("Failed", "DeadlineExceeded"), {}, "1h", kNow);
  auto patch = run_status_patch(current, o, "j", 1, kNow);
  ASSERT_FALSE(patch.is_null());
  EXPECT_EQ(patch["status"]["phase"], "TimedOut");
  EXPECT_FALSE(patch["status"].contains("jobName"));
  EXPECT_EQ(patch["status"]["duration"], "10m0s");
  EXPECT_EQ(patch["status"]["conditions"].size(), 2u);
  RunObservation pending;
  EXPECT_TRUE(run_status_patch(current, pending, "j", 1, kNow).is_null())
      << "a Pending observation never moves a Running run back";
}

TEST(Pruning, DeletesOldestFinishedUserRunsBeyondTheLimit) {
  std::vector<api::DbtRun> runs;
  for (int i = 0; i < 5; ++i) {
    auto r = testing::sample_run();
    r.metadata.name = "r" + std::to_string(i);
    r.status.phase = api::RunPhase::Succeeded;
    r.status.completion_time = kNow + std::chrono::minutes(i);
    runs.push_back(r);
  }
  runs[4].status.phase = api::RunPhase::Running;  // active: never pruned
  auto scheduled = testing::sample_run();
  scheduled.metadata.name = "from-cron";
  scheduled.status.phase = api::RunPhase::Succeeded;
  scheduled.metadata.other["ownerReferences"] =
      Json::array({{{"kind", "Job"}, {"name", "from-cron"}, {"uid", "u"}, {"controller", true}}});
  runs.push_back(scheduled);
  EXPECT_EQ(runs_to_prune(runs, 2), (std::vector<std::string>{"r0", "r1"}));
  EXPECT_TRUE(runs_to_prune(runs, 4).empty());
}

TEST(Pruning, KeepsExactlyTheLimitAndPrunesOnlyTheOldestOneBeyondIt) {
  std::vector<api::DbtRun> runs;
  for (int i = 0; i < 20; ++i) {
    auto r = testing::sample_run();
    r.metadata.name = "r" + std::to_string(i);
    r.status.phase = api::RunPhase::Succeeded;
    r.status.completion_time = kNow + std::chrono::seconds(i);
    runs.push_back(r);
  }
  EXPECT_TRUE(runs_to_prune(runs, 20).empty()) << "20 finished runs fit a history of 20";
  auto newest = testing::sample_run();
  newest.metadata.name = "r20";
  newest.status.phase = api::RunPhase::Failed;
  newest.status.completion_time = kNow + std::chrono::seconds(20);
  runs.push_back(newest);
  EXPECT_EQ(runs_to_prune(runs, 20), (std::vector<std::string>{"r0"}));
}

Json ready_project() {
  return project_with_ready("True", "SpecValid",
                            "The spec is valid and every referenced Secret exists.");
}

// A finished user-created run of `project` that completed at `completed`.
Json finished_run(const std::string& name, const std::string& project,
                  const std::string& completed) {
  auto run = testing::sample_run_json();
  run["metadata"]["name"] = name;
  run["metadata"]["uid"] = name + "-uid";
  run["spec"]["projectRef"]["name"] = project;
  run["status"] = {{"phase", "Succeeded"}, {"jobName", name}, {"completionTime", completed}};
  return run;
}

// A controller owner reference to the batch/v1 `kind` (Job, CronJob) `name`.
Json controlled_by(const std::string& kind, const std::string& name, const std::string& uid) {
  return Json::array({{{"apiVersion", "batch/v1"},
                       {"kind", kind},
                       {"name", name},
                       {"uid", uid},
                       {"controller", true}}});
}

class RunReconcile : public ::testing::Test {
 protected:
  ReconcileResult reconcile(const std::string& name = "manual-1") {
    return reconcile_run(h.context(), "analytics", name);
  }

  // The sample run's own Job, as the operator builds it, with `status`.
  Json own_job(Json status) {
    auto job = build_job(testing::sample_run(), testing::sample_project(), "dev", h.config);
    job["metadata"]["uid"] = "j-uid";
    job["status"] = std::move(status);
    return job;
  }

  // A Job the nightly CronJob made from its template, named `name`.
  Json scheduled_job(const std::string& name) {
    auto job = build_cron_job(testing::sample_schedule(), testing::sample_project(), "prod",
                              h.config)["spec"]["jobTemplate"];
    job["apiVersion"] = "batch/v1";
    job["kind"] = "Job";
    job["metadata"]["name"] = name;
    job["metadata"]["namespace"] = "analytics";
    job["metadata"]["uid"] = "j-uid";
    job["metadata"]["ownerReferences"] = controlled_by("CronJob", "nightly", "cj-uid");
    return job;
  }

  // The only call was a status patch: its body.
  const Json& only_status_patch() {
    EXPECT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns/status analytics/manual-1"));
    return h.client.calls().front().body;
  }

  // The run was failed before it started, for `reason`, with a Warning Event and no Job.
  void expect_refused(const std::string& reason) {
    ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns/status analytics/manual-1",
                                              "create events analytics/manual-1."));
    const auto& status = h.client.calls()[0].body["status"];
    EXPECT_EQ(status["phase"], "Failed");
    ASSERT_EQ(status["conditions"].size(), 2u);
    for (const auto& c : status["conditions"]) {
      EXPECT_EQ(c["reason"], reason);
      EXPECT_EQ(c["lastTransitionTime"], kNowText);
    }
    EXPECT_EQ(status["conditions"][0]["type"], "Succeeded");
    EXPECT_EQ(status["conditions"][0]["status"], "False");
    EXPECT_EQ(status["conditions"][1]["type"], "Complete");
    EXPECT_EQ(status["conditions"][1]["status"], "True");
    const auto& event = h.client.calls()[1].body;
    EXPECT_EQ(event["type"], "Warning");
    EXPECT_EQ(event["reason"], reason);
  }

  testing::ReconcileHarness h;
};

TEST_F(RunReconcile, StartCreatesTheJobOwnedByTheRunAndRecordsAnEvent) {
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, testing::sample_run_json());
  auto result = reconcile();
  EXPECT_FALSE(result.requeue_after) << "the new Job's informer event brings the run back";
  ASSERT_THAT(h.client.lines(), ElementsAre("create jobs analytics/manual-1-run",
                                            "create events analytics/manual-1."));
  EXPECT_EQ(h.client.calls()[0].body,
            build_job(testing::sample_run(), testing::sample_project(), "dev", h.config));
  EXPECT_EQ(h.client.calls()[1].body["reason"], "JobCreated");
}

TEST_F(RunReconcile, JobCreatedBeforeACrashButNotYetCachedIsAStaleViewWithoutStatus) {
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, testing::sample_run_json());
  h.client.fail("create", "jobs", testing::already_exists_status());
  h.client.serve(kube::resources::kJobs, own_job(Json::object()));
  auto result = reconcile();
  EXPECT_EQ(result.requeue_after, kStaleViewRetry);
  EXPECT_THAT(h.client.lines(),
              ElementsAre("create jobs analytics/manual-1-run", "get jobs analytics/manual-1-run"))
      << "the API's copy is the run's: no status and no Event until the cache shows it";
}

// A Job of the run's name that the cache does not watch (no kubedbt labels) and another
// controller owns: create answers AlreadyExists, and the run fails instead of retrying forever.
TEST_F(RunReconcile, AnUnwatchedJobHoldingTheNameFailsTheRunWithJobNameTaken) {
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, testing::sample_run_json());
  h.client.fail("create", "jobs", testing::already_exists_status());
  h.client.serve(kube::resources::kJobs,
                 Json{{"metadata", {{"name", "manual-1-run"}, {"namespace", "analytics"}}}});
  auto result = reconcile();
  EXPECT_FALSE(result.requeue_after);
  ASSERT_THAT(h.client.lines(),
              ElementsAre("create jobs analytics/manual-1-run", "get jobs analytics/manual-1-run",
                          "merge_patch dbtruns/status analytics/manual-1",
                          "create events analytics/manual-1."));
  const auto& status = h.client.calls()[2].body["status"];
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_THAT(status["message"].get<std::string>(),
              HasSubstr("belongs to another controller, or none, not to this run"));
}

TEST_F(RunReconcile, ConflictOnTheStatusWritePropagatesAndNothingElseIsWritten) {
  auto run = testing::sample_run_json();
  run["status"] = {{"phase", "Running"}, {"jobName", "manual-1-run"}};
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, run);
  h.cache.put(kube::resources::kJobs, own_job(job_with("Complete", "")["status"]));
  h.client.fail("merge_patch", "dbtruns/status", testing::conflict_status());
  EXPECT_THROW(reconcile(), kube::Conflict);
  EXPECT_EQ(only_status_patch()["status"]["phase"], "Succeeded")
      << "the failed write was the finished phase; its Event was not recorded";
}

// A Job of the run's Job name that another run controls is never taken as the run's own: the
// run fails, naming the owner.
TEST_F(RunReconcile, JobOfTheSameNameOwnedByAnotherRunFailsTheRunWithJobNameTaken) {
  auto other = testing::sample_run();
  other.metadata.name = "other";
  other.metadata.uid = "other-uid";
  auto foreign = build_job(other, testing::sample_project(), "dev", h.config);
  foreign["metadata"]["name"] = "manual-1-run";
  foreign["status"] = job_with("Complete", "")["status"];
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, testing::sample_run_json());
  h.cache.put(kube::resources::kJobs, foreign);
  reconcile();
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns/status analytics/manual-1",
                                            "create events analytics/manual-1."));
  const auto& status = h.client.calls()[0].body["status"];
  EXPECT_FALSE(status.contains("jobName")) << "the other run's Job is not this run's";
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_THAT(status["message"].get<std::string>(), HasSubstr("belongs to DbtRun other, not"));
  EXPECT_EQ(status["conditions"][0]["reason"], "JobNameTaken");
}

// Found by a decision test: a run named ci-7-drop-schema once took run ci-7's clean-up Job as
// its own. Run Jobs end in "-run", clean-up Jobs in "-drop-schema": the names never meet.
TEST_F(RunReconcile, ARunNamedLikeAnotherRunsCleanUpJobStartsAJobOfItsOwn) {
  auto deleted = testing::sample_run();
  deleted.metadata.name = "ci-7";
  deleted.metadata.uid = "ci-7-uid";
  deleted.spec.schema = "ci_pr_7";
  auto cleanup = build_drop_schema_job(deleted, testing::sample_project(), "dev", h.config);
  auto run = testing::sample_run_json();
  run["metadata"]["name"] = "ci-7-drop-schema";
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, run);
  h.cache.put(kube::resources::kJobs, cleanup);
  reconcile("ci-7-drop-schema");
  EXPECT_THAT(h.client.lines(), ElementsAre("create jobs analytics/ci-7-drop-schema-run",
                                            "create events analytics/ci-7-drop-schema."));
}

// A user's DbtRun named like the next run of a schedule (<cronjob>-<minutes>) would take that
// run's place: it is refused before it starts, naming the schedule.
TEST_F(RunReconcile, ARunNamedLikeAScheduledRunIsRefused) {
  auto run = testing::sample_run_json();
  run["metadata"]["name"] = "nightly-29412345";
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtSchedules, testing::sample_schedule_json());
  h.cache.put(kDbtRuns, run);
  reconcile("nightly-29412345");
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns/status analytics/nightly-29412345",
                                            "create events analytics/nightly-29412345."));
  const auto& status = h.client.calls()[0].body["status"];
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["conditions"][0]["reason"], "NameReservedForSchedule");
  EXPECT_THAT(status["message"].get<std::string>(), HasSubstr("DbtSchedule nightly"));
}

// A run the operator failed because its pod never ran must not start when the cause goes away
// (the Secret is created, the image pushed): its Job is deleted.
TEST_F(RunReconcile, ARunFailedBeforeItsPodRanHasItsJobDeleted) {
  auto run = testing::sample_run_json();
  run["status"] = {{"phase", "Failed"},
                   {"jobName", "manual-1-run"},
                   {"conditions", Json::array({{{"type", "Succeeded"},
                                                {"status", "False"},
                                                {"reason", "ContainerNotStarted"},
                                                {"lastTransitionTime", kNowText}}})}};
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, run);
  h.cache.put(kube::resources::kJobs, own_job(Json::object()));
  reconcile();
  EXPECT_THAT(h.client.lines(), ElementsAre("remove jobs analytics/manual-1-run",
                                            "create events analytics/manual-1."));
  EXPECT_EQ(h.client.calls()[1].body["reason"], "JobStopped");
}

// The Job of a run that ended by the runner's own report (here Failed by a test) is left alone:
// the runner may still be sending its notifications.
TEST_F(RunReconcile, ARunTheRunnerEndedKeepsItsJob) {
  auto run = testing::sample_run_json();
  run["status"] = {{"phase", "Failed"},
                   {"jobName", "manual-1-run"},
                   {"conditions", Json::array({{{"type", "Succeeded"},
                                                {"status", "False"},
                                                {"reason", "TestsFailed"},
                                                {"lastTransitionTime", kNowText}}})}};
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, run);
  h.cache.put(kube::resources::kJobs, own_job(Json::object()));
  reconcile();
  EXPECT_THAT(h.client.lines(), IsEmpty());
}

// A scheduled run's Job owns its DbtRun, so deleting it would delete the run's record: the Job
// is ended by an active deadline that has passed instead.
TEST_F(RunReconcile, AScheduledRunFailedBeforeItsPodRanHasItsJobEndedByADeadline) {
  auto run = testing::sample_run_json();
  run["metadata"]["name"] = "nightly-29123456";
  run["metadata"]["ownerReferences"] = controlled_by("Job", "nightly-29123456", "j-uid");
  run["metadata"]["labels"]["kubedbt.io/schedule"] = "nightly";
  run["status"] = {{"phase", "Failed"},
                   {"conditions", Json::array({{{"type", "Succeeded"},
                                                {"status", "False"},
                                                {"reason", "ImagePullFailed"},
                                                {"lastTransitionTime", kNowText}}})}};
  h.cache.put(kDbtRuns, run);
  h.cache.put(kube::resources::kJobs, scheduled_job("nightly-29123456"));
  reconcile("nightly-29123456");
  ASSERT_THAT(h.client.lines(), ::testing::Contains("merge_patch jobs analytics/nightly-29123456"));
  for (const auto& call : h.client.calls()) {
    if (call.line() == "merge_patch jobs analytics/nightly-29123456") {
      EXPECT_EQ(call.body, Json::parse(R"({"spec": {"activeDeadlineSeconds": 1}})"));
    }
  }
}

// Deleted and created again at once: the old run's Job, owned by the old uid, is on its way out.
TEST_F(RunReconcile, TheJobOfADeletedRunOfTheSameNameIsWaitedFor) {
  auto old_run = testing::sample_run();
  old_run.metadata.uid = "old-uid";
  auto old_job = build_job(old_run, testing::sample_project(), "dev", h.config);
  old_job["status"] = job_with("Complete", "")["status"];
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, testing::sample_run_json());
  h.cache.put(kube::resources::kJobs, old_job);
  auto result = reconcile();
  EXPECT_EQ(result.requeue_after, kStaleViewRetry);
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns/status analytics/manual-1"));
  const auto& status = h.client.calls()[0].body["status"];
  EXPECT_EQ(status["phase"], "Pending") << "nothing of the old run's result";
  EXPECT_THAT(status["message"].get<std::string>(),
              HasSubstr("Waiting for Job manual-1-run of the deleted DbtRun of this name"));
}

TEST_F(RunReconcile, FinishedRunWithItsJobStillThereStaysEndedAndPrunesOnlyOlderRuns) {
  h.config.run_history_limit = 1;
  auto scheduled = finished_run("nightly-1", "shop", "2026-11-25T02:40:00Z");
  scheduled["metadata"]["ownerReferences"] = controlled_by("Job", "nightly-1", "j1-uid");
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, finished_run("manual-1", "shop", "2026-11-25T11:10:00Z"));
  h.cache.put(kDbtRuns, finished_run("manual-0", "shop", "2026-11-25T09:00:00Z"));
  h.cache.put(kDbtRuns, finished_run("other-0", "other", "2026-11-24T09:00:00Z"));
  h.cache.put(kDbtRuns, scheduled);
  h.cache.put(kube::resources::kJobs,
              own_job(job_with("Failed", "BackoffLimitExceeded")["status"]));
  auto result = reconcile();
  EXPECT_FALSE(result.requeue_after);
  ASSERT_THAT(h.client.lines(), ElementsAre("remove dbtruns analytics/manual-0"))
      << "no status write, no Job: only the older finished user run of the project goes";
  EXPECT_EQ(h.client.calls()[0].options, Json({{"propagationPolicy", "Background"}}));
}

TEST_F(RunReconcile, ScheduledJobWithoutARunGetsOneOwnedByTheJob) {
  auto cron =
      build_cron_job(testing::sample_schedule(), testing::sample_project(), "prod", h.config);
  cron["metadata"]["uid"] = "cj-uid";
  h.cache.put(kDbtSchedules, testing::sample_schedule_json());
  h.cache.put(kube::resources::kCronJobs, cron);
  h.cache.put(kube::resources::kJobs, scheduled_job("nightly-29123456"));
  auto result = reconcile("nightly-29123456");
  EXPECT_EQ(result.requeue_after, kStaleViewRetry);
  ASSERT_THAT(h.client.lines(), ElementsAre("create dbtruns analytics/nightly-29123456"));
  EXPECT_EQ(h.client.calls()[0].body, Json::parse(R"({
    "apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtRun",
    "metadata": {
      "name": "nightly-29123456", "namespace": "analytics",
      "labels": {"app.kubernetes.io/managed-by": "kubedbt", "kubedbt.io/project": "shop",
                 "kubedbt.io/schedule": "nightly", "kubedbt.io/job": "nightly-29123456"},
      "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "nightly-29123456",
                           "uid": "j-uid", "controller": true}]},
    "spec": {"projectRef": {"name": "shop"}, "target": "prod", "commands": ["seed", "build"],
             "select": ["tag:nightly"], "vars": {"price": "$5"}, "timeout": "1h",
             "scheduleRef": {"name": "nightly"}}})"));
}

TEST_F(RunReconcile, AlreadyExistsOnTheAdoptedRunIsSuccess) {
  h.cache.put(kube::resources::kJobs, scheduled_job("nightly-29123456"));
  h.client.fail("create", "dbtruns", testing::already_exists_status());
  auto result = reconcile("nightly-29123456");
  EXPECT_EQ(result.requeue_after, kStaleViewRetry);
  EXPECT_THAT(h.client.lines(), ElementsAre("create dbtruns analytics/nightly-29123456"));
}

TEST_F(RunReconcile, JobOfNoScheduleGetsNoRun) {
  auto job = scheduled_job("nightly-29123456");
  job["metadata"]["labels"].erase("kubedbt.io/schedule");
  h.cache.put(kube::resources::kJobs, job);
  reconcile("nightly-29123456");
  EXPECT_THAT(h.client.lines(), IsEmpty());
}

TEST_F(RunReconcile, InvalidSpecFailsTheRunWithoutAJob) {
  auto run = testing::sample_run_json();
  run["spec"]["keepSchema"] = true;  // without spec.schema
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, run);
  reconcile();
  expect_refused("InvalidSpec");
}

TEST_F(RunReconcile, ProtectedTargetWithoutRequestedByFailsTheRunWithoutAJob) {
  auto run = testing::sample_run_json();
  run["spec"]["target"] = "prod";
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, run);
  reconcile();
  expect_refused("ProtectedTarget");
}

// A waiting run shows phase and message only: run_status_patch writes a reason only into the
// conditions of a finished run.
TEST_F(RunReconcile, MissingProjectLeavesTheRunPendingWithoutAJob) {
  h.cache.put(kDbtRuns, testing::sample_run_json());
  reconcile();
  EXPECT_EQ(only_status_patch(), Json::parse(R"({"status": {"phase": "Pending",
              "message": "Waiting for DbtProject shop in namespace analytics."}})"));
}

TEST_F(RunReconcile, ProjectNotReadyLeavesTheRunPendingWithoutAJob) {
  h.cache.put(kDbtProjects,
              project_with_ready("False", "SecretNotFound", "Secret pg-dev is gone."));
  h.cache.put(kDbtRuns, testing::sample_run_json());
  reconcile();
  EXPECT_EQ(only_status_patch(), Json::parse(R"({"status": {"phase": "Pending",
              "message": "Waiting for DbtProject shop to be Ready: Secret pg-dev is gone."}})"));
}

TEST_F(RunReconcile, WaitingRunThatAlreadySaysSoWritesNothing) {
  auto run = testing::sample_run_json();
  run["status"] = {{"phase", "Pending"},
                   {"message", "Waiting for DbtProject shop in namespace analytics."}};
  h.cache.put(kDbtRuns, run);
  reconcile();
  EXPECT_THAT(h.client.lines(), IsEmpty());
}

TEST_F(RunReconcile, RunningJobIsReportedAndLookedAtAgainInAMinute) {
  Json pod = {{"metadata",
               {{"name", "manual-1-x"},
                {"namespace", "analytics"},
                {"labels", {{"batch.kubernetes.io/job-name", "manual-1-run"}}}}},
              {"status", {{"phase", "Running"}}}};
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, testing::sample_run_json());
  h.cache.put(kube::resources::kJobs, own_job({{"startTime", "2026-11-25T11:00:00Z"}}));
  h.cache.put(kube::resources::kPods, pod);
  auto result = reconcile();
  EXPECT_EQ(result.requeue_after, std::chrono::minutes(1));
  EXPECT_EQ(only_status_patch(), Json::parse(R"({"status": {"jobName": "manual-1-run",
              "startTime": "2026-11-25T11:00:00Z", "phase": "Running"}})"));
}

TEST_F(RunReconcile, RunnersCopyOfAScheduledRunGetsTheLabelsOfItsJob) {
  auto run = testing::sample_run_json();
  run["metadata"]["name"] = "nightly-29123456";
  run["metadata"]["ownerReferences"] = controlled_by("Job", "nightly-29123456", "j-uid");
  h.cache.put(kDbtRuns, run);
  h.cache.put(kube::resources::kJobs, scheduled_job("nightly-29123456"));
  reconcile("nightly-29123456");
  ASSERT_THAT(h.client.lines(),
              ElementsAre("merge_patch dbtruns analytics/nightly-29123456",
                          "merge_patch dbtruns/status analytics/nightly-29123456"));
  EXPECT_EQ(h.client.calls()[0].body, Json::parse(R"({"metadata": {"labels": {
              "kubedbt.io/schedule": "nightly", "kubedbt.io/project": "shop",
              "app.kubernetes.io/managed-by": "kubedbt"}}})"));
}

TEST_F(RunReconcile, RunWithItsOwnSchemaGetsTheDropSchemaFinalizerBeforeItsJob) {
  auto run = testing::sample_run_json();
  run["metadata"]["resourceVersion"] = "7";
  run["spec"]["schema"] = "ci_pr_7";
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, run);
  reconcile();
  ASSERT_THAT(h.client.lines(), ElementsAre("merge_patch dbtruns analytics/manual-1",
                                            "create jobs analytics/manual-1-run",
                                            "create events analytics/manual-1."));
  EXPECT_EQ(h.client.calls()[0].body, Json::parse(R"({"metadata": {
              "finalizers": ["kubedbt.io/drop-schema"], "resourceVersion": "7"}})"));
}

TEST_F(RunReconcile, DeletedRunWithoutTheFinalizerIsLeftToTheGarbageCollector) {
  auto run = testing::sample_run_json();
  run["metadata"]["deletionTimestamp"] = kNowText;
  h.cache.put(kDbtProjects, ready_project());
  h.cache.put(kDbtRuns, run);
  h.cache.put(kube::resources::kJobs, own_job({{"active", 1}}));
  auto result = reconcile();
  EXPECT_FALSE(result.requeue_after);
  EXPECT_THAT(h.client.lines(), IsEmpty());
}

// Fail closed: a user-created run on a protected target starts only when the admission policy
// lists identities allowed to start it; the annotation alone, which any creator may set to their
// own name, is not enough.
class ProtectedRunReconcile : public RunReconcile {
 protected:
  void SetUp() override {
    auto run = testing::sample_run_json();
    run["spec"]["target"] = "prod";
    run["metadata"]["annotations"] = {{"kubedbt.io/requested-by", "alice"}};
    h.cache.put(kDbtProjects, ready_project());
    h.cache.put(kDbtRuns, run);
  }
  // Refused ProtectedTargetUnguarded after one read of the policy; returns the message.
  std::string expect_unguarded() {
    EXPECT_THAT(h.client.lines(),
                ElementsAre("get validatingadmissionpolicies /kubedbt-protected-targets",
                            "merge_patch dbtruns/status analytics/manual-1",
                            "create events analytics/manual-1."));
    if (h.client.calls().size() < 2) return "";
    const auto& status = h.client.calls()[1].body["status"];
    EXPECT_EQ(status["phase"], "Failed");
    EXPECT_EQ(status["conditions"][0]["reason"], "ProtectedTargetUnguarded");
    return status["message"].get<std::string>();
  }
  static Json policy(const std::string& map) {
    return {{"metadata", {{"name", "kubedbt-protected-targets"}}},
            {"spec",
             {{"variables", Json::array({{{"name", "protectedTargets"}, {"expression", map}},
                                         {{"name", "key"}, {"expression", "object.spec"}}})}}}};
  }
};

TEST_F(ProtectedRunReconcile, WithoutThePolicyNoProtectedRunStarts) {
  reconcile();
  auto message = expect_unguarded();
  EXPECT_THAT(message, HasSubstr("admission policy kubedbt-protected-targets"));
  EXPECT_THAT(message, HasSubstr("is not installed"));
  EXPECT_THAT(message, HasSubstr("protectedTargets.analytics.shop\\.prod"));
}

TEST_F(ProtectedRunReconcile, APolicyThatListsNobodyForTheTargetStartsNothing) {
  h.client.serve(kValidatingAdmissionPolicies,
                 policy(R"({"analytics": {"shop.dev": ["devs"]}, "other": {"shop.prod": ["x"]}})"));
  reconcile();
  EXPECT_THAT(expect_unguarded(),
              HasSubstr("lists nobody who may start runs on shop.prod in namespace analytics"));
}

TEST_F(ProtectedRunReconcile, AnUnreadablePolicyStartsNothing) {
  h.client.serve(kValidatingAdmissionPolicies, policy("variables.somethingElse"));
  reconcile();
  EXPECT_THAT(expect_unguarded(), HasSubstr("cannot be read"));
}

TEST_F(ProtectedRunReconcile, ATargetThePolicyGuardsStarts) {
  h.client.serve(kValidatingAdmissionPolicies,
                 policy(R"({"analytics": {"shop.prod": ["dbt-prod-deployers"]}})"));
  reconcile();
  EXPECT_THAT(
      h.client.lines(),
      ElementsAre("get validatingadmissionpolicies /kubedbt-protected-targets",
                  "create jobs analytics/manual-1-run", "create events analytics/manual-1."));
}
}  // namespace
}  // namespace kubedbt::op
