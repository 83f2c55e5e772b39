// The job and cronjob controllers of kube-controller-manager: a Job gets its Pod object, a
// CronJob gets its Jobs. Running the Pod is the node agent's part, not asserted here.
#include <gtest/gtest.h>

#include "kube/client.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt {
namespace {

using testing::TestCluster;
using testing::TestNamespace;
namespace resources = kube::resources;

kube::Json pod_template() {
  return {{"spec",
           {{"restartPolicy", "Never"},
            {"containers", {{{"name", "main"}, {"image", "busybox"}, {"command", {"true"}}}}}}}};
}

// The single ownerReference of `object` that is its controller, or null.
kube::Json controller_of(const kube::Json& object) {
  for (const auto& ref : object["metadata"].value("ownerReferences", kube::Json::array())) {
    if (ref.value("controller", false)) return ref;
  }
  return nullptr;
}

TEST(WorkloadControllers, JobGetsAPodFromTheJobController) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "job");
  const auto job = client->create(resources::kJobs, ns.name(),
                                  {{"apiVersion", "batch/v1"},
                                   {"kind", "Job"},
                                   {"metadata", {{"name", "once"}}},
                                   {"spec", {{"backoffLimit", 0}, {"template", pod_template()}}}});

  std::vector<kube::Json> pods;
  ASSERT_TRUE(testing::eventually(
      [&] {
        kube::ListOptions by_job;
        by_job.label_selector = "batch.kubernetes.io/job-name=once";
        pods = client->list(resources::kPods, ns.name(), by_job).items;
        return !pods.empty();
      },
      std::chrono::seconds(60)))
      << "kube-controller-manager created no Pod for the Job";
  const auto owner = controller_of(pods.front());
  ASSERT_FALSE(owner.is_null()) << pods.front()["metadata"].dump();
  EXPECT_EQ(owner["kind"], "Job");
  EXPECT_EQ(owner["uid"], job["metadata"]["uid"]);
  EXPECT_EQ(pods.front()["spec"]["containers"][0]["command"][0], "true");
  // The pod runs as the namespace's default ServiceAccount, with its projected token volume.
  EXPECT_EQ(pods.front()["spec"]["serviceAccountName"], "default");
}

TEST(WorkloadControllers, CronJobCreatesAJobOnSchedule) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "cronjob");
  const auto cron_job = client->create(
      resources::kCronJobs, ns.name(),
      {{"apiVersion", "batch/v1"},
       {"kind", "CronJob"},
       {"metadata", {{"name", "every-minute"}}},
       {"spec",
        {{"schedule", "* * * * *"},
         {"concurrencyPolicy", "Forbid"},
         {"jobTemplate", {{"spec", {{"backoffLimit", 0}, {"template", pod_template()}}}}}}}});

  // The next minute boundary, then the controller's sync: at most a little over a minute.
  std::vector<kube::Json> jobs;
  ASSERT_TRUE(testing::eventually(
      [&] {
        jobs = client->list(resources::kJobs, ns.name()).items;
        return !jobs.empty();
      },
      std::chrono::seconds(90), std::chrono::milliseconds(500)))
      << "the cronjob controller created no Job within 90s";
  const auto owner = controller_of(jobs.front());
  ASSERT_FALSE(owner.is_null()) << jobs.front()["metadata"].dump();
  EXPECT_EQ(owner["kind"], "CronJob");
  EXPECT_EQ(owner["uid"], cron_job["metadata"]["uid"]);
  EXPECT_EQ(jobs.front()["metadata"]["name"].get<std::string>().rfind("every-minute-", 0), 0u);

  // The CronJob's status records the run.
  EXPECT_TRUE(testing::eventually([&] {
    const auto current = client->get(resources::kCronJobs, ns.name(), "every-minute");
    return current["status"].contains("lastScheduleTime");
  })) << "the CronJob status has no lastScheduleTime";
}

}  // namespace
}  // namespace kubedbt
