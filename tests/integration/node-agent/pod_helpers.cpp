// Small helpers for node agent integration tests.
#include "tests/integration/node-agent/pod_helpers.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kube/errors.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt::testing {

HostDir::HostDir() {
  std::string pattern = "/tmp/kubedbt-node-agent-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  std::filesystem::permissions(path_, std::filesystem::perms::all);
}

HostDir::~HostDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string HostDir::read(const std::string& name) const {
  std::ifstream in(path_ + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

kube::Json shell_pod(const std::string& name, const std::string& script,
                     const std::string& restart_policy) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"restartPolicy", restart_policy},
            {"terminationGracePeriodSeconds", 10},
            {"containers",
             {{{"name", "main"}, {"image", "busybox"}, {"command", {"sh", "-c", script}}}}}}}};
}

kube::Json wait_for_phase(kube::Client& client, const std::string& ns, const std::string& name,
                          const std::string& phase, std::chrono::seconds timeout) {
  kube::Json pod;
  const bool reached = eventually(
      [&] {
        try {
          pod = client.get(kube::resources::kPods, ns, name);
        } catch (const kube::NotFound&) {
          return false;
        }
        return pod.value("status", kube::Json::object()).value("phase", "") == phase;
      },
      timeout, std::chrono::milliseconds(200));
  EXPECT_TRUE(reached) << "pod " << ns << "/" << name << " never reached phase " << phase
                       << "; last seen: " << pod.value("status", kube::Json::object()).dump();
  return pod;
}

bool wait_until_gone(kube::Client& client, const std::string& ns, const std::string& name,
                     std::chrono::seconds timeout) {
  return eventually(
      [&] {
        try {
          client.get(kube::resources::kPods, ns, name);
          return false;
        } catch (const kube::NotFound&) {
          return true;
        }
      },
      timeout, std::chrono::milliseconds(200));
}

kube::Json terminated_state(const kube::Json& pod, std::size_t index) {
  const kube::Json statuses =
      pod.value("status", kube::Json::object()).value("containerStatuses", kube::Json::array());
  if (statuses.size() <= index) return nullptr;
  return statuses[index]["state"].value("terminated", kube::Json());
}

}  // namespace kubedbt::testing
