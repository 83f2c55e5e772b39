// Jobs created through the API run on the node agent to completion: kube-controller-manager makes
// the Pod, the agent binds and runs it, and the Job controller reads the outcome.
#include <gtest/gtest.h>

#include "kube/client.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/node-agent/pod_helpers.h"

namespace kubedbt {
namespace {

using testing::TestCluster;
using testing::TestNamespace;
namespace resources = kube::resources;

kube::Json job(const std::string& name, const std::string& script, int backoff_limit) {
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"backoffLimit", backoff_limit},
            {"template",
             {{"spec",
               {{"restartPolicy", "Never"},
                {"containers",
                 {{{"name", "main"},
                   {"image", "debian:12"},
                   {"command", {"sh", "-c", script}}}}}}}}}}}};
}

// The Job's condition of `type` with status True, or null.
kube::Json true_condition(const kube::Json& job_object, const std::string& type) {
  for (const auto& condition :
       job_object.value("status", kube::Json::object()).value("conditions", kube::Json::array())) {
    if (condition.value("type", "") == type && condition.value("status", "") == "True") {
      return condition;
    }
  }
  return nullptr;
}

kube::Json wait_for_job_condition(kube::Client& client, const std::string& ns,
                                  const std::string& name, const std::string& type) {
  kube::Json current;
  const bool reached = testing::eventually(
      [&] {
        current = client.get(resources::kJobs, ns, name);
        return !true_condition(current, type).is_null();
      },
      std::chrono::seconds(90), std::chrono::milliseconds(300));
  EXPECT_TRUE(reached) << "Job " << name << " never got condition " << type << ": "
                       << current.value("status", kube::Json::object()).dump();
  return current;
}

std::vector<kube::Json> pods_of(kube::Client& client, const std::string& ns,
                                const std::string& job_name) {
  kube::ListOptions by_job;
  by_job.label_selector = "batch.kubernetes.io/job-name=" + job_name;
  return client.list(resources::kPods, ns, by_job).items;
}

TEST(NodeAgentJobs, SucceedingJobCompletes) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "na-job-ok");
  client->create(resources::kJobs, ns.name(), job("ok", "echo hello from $HOSTNAME", 0));

  const kube::Json done = wait_for_job_condition(*client, ns.name(), "ok", "Complete");
  EXPECT_EQ(done["status"].value("succeeded", 0), 1);
  EXPECT_EQ(done["status"].value("failed", 0), 0);
  const auto pods = pods_of(*client, ns.name(), "ok");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0]["spec"]["nodeName"], testing::kNodeName);
  EXPECT_EQ(pods[0]["status"]["phase"], "Succeeded");
  const kube::Json terminated = testing::terminated_state(pods[0]);
  ASSERT_FALSE(terminated.is_null()) << pods[0]["status"].dump();
  EXPECT_EQ(terminated["exitCode"], 0);
  EXPECT_EQ(terminated["reason"], "Completed");
}

TEST(NodeAgentJobs, FailingJobFailsAfterItsRetries) {
  auto client = TestCluster::get().admin_client();
  TestNamespace ns(*client, "na-job-bad");
  client->create(resources::kJobs, ns.name(), job("bad", "echo giving up >&2; exit 3", 1));

  const kube::Json failed = wait_for_job_condition(*client, ns.name(), "bad", "Failed");
  EXPECT_EQ(true_condition(failed, "Failed")["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(failed["status"].value("failed", 0), 2);  // the first try and one retry
  EXPECT_TRUE(true_condition(failed, "Complete").is_null());
  const auto pods = pods_of(*client, ns.name(), "bad");
  ASSERT_EQ(pods.size(), 2u);
  for (const auto& pod : pods) {
    EXPECT_EQ(pod["status"]["phase"], "Failed");
    const kube::Json terminated = testing::terminated_state(pod);
    ASSERT_FALSE(terminated.is_null()) << pod["status"].dump();
    EXPECT_EQ(terminated["exitCode"], 3);
    EXPECT_EQ(terminated["reason"], "Error");
  }
}

}  // namespace
}  // namespace kubedbt
