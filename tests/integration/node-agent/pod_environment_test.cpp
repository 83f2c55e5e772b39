// What a pod sees on the node agent: env from values, Secrets, ConfigMaps and the downward API;
// its volumes at their mount paths; the service-account token at the usual path, which
// authenticates to the API server as the pod's ServiceAccount.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kube/client.h"
#include "kube/resource.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/node-agent/pod_helpers.h"

namespace kubedbt {
namespace {

using ::testing::HasSubstr;
using testing::TestCluster;
using testing::TestNamespace;
namespace resources = kube::resources;

class NodeAgentPodEnvironment : public ::testing::Test {
 protected:
  void SetUp() override {
    client->create(resources::kSecrets, ns.name(),
                   {{"apiVersion", "v1"},
                    {"kind", "Secret"},
                    {"metadata", {{"name", "db"}}},
                    {"stringData", {{"password", "pa55-word"}, {"user", "dbt"}}}});
    client->create(resources::kConfigMaps, ns.name(),
                   {{"apiVersion", "v1"},
                    {"kind", "ConfigMap"},
                    {"metadata", {{"name", "settings"}}},
                    {"data", {{"color", "blue"}, {"size", "xl"}}}});
  }

  // Runs `pod` to Succeeded and returns its termination message (what the script reported).
  std::string run_and_read_message(kube::Json pod) {
    const std::string name = pod["metadata"]["name"];
    client->create(resources::kPods, ns.name(), pod);
    const kube::Json done = testing::wait_for_phase(*client, ns.name(), name, "Succeeded");
    const kube::Json terminated = testing::terminated_state(done);
    if (terminated.is_null())
      return "(no terminated state) " + done.value("status", kube::Json()).dump();
    return terminated.value("message", "");
  }

  std::unique_ptr<kube::Client> client = TestCluster::get().admin_client();
  TestNamespace ns{*client, "na-env"};
};

TEST_F(NodeAgentPodEnvironment, EnvComesFromValuesSecretsConfigMapsAndTheDownwardApi) {
  kube::Json pod = testing::shell_pod(
      "env",
      "printf '%s|' \"$PLAIN\" \"$PASSWORD\" \"$COLOR\" \"$OPTIONAL\" \"$CFG_size\" \"$user\" "
      "\"$POD_NAME\" \"$POD_NAMESPACE\" \"$POD_UID\" \"$APP\" \"$NODE\" \"$ACCOUNT\" \"$POD_IP\" "
      "\"$URL\" \"$KUBERNETES_SERVICE_HOST\" > /dev/termination-log");
  pod["metadata"]["labels"] = {{"app", "reporting"}};
  pod["spec"]["containers"][0]["env"] = kube::Json::parse(R"J([
    {"name": "PLAIN", "value": "plain-value"},
    {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
    {"name": "COLOR", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "color"}}},
    {"name": "OPTIONAL", "valueFrom": {"configMapKeyRef":
        {"name": "settings", "key": "absent", "optional": true}}},
    {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
    {"name": "POD_UID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.uid"}}},
    {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
    {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
    {"name": "ACCOUNT", "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}}},
    {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
    {"name": "URL", "value": "postgres://$(user)@$(POD_IP)"}
  ])J");
  pod["spec"]["containers"][0]["envFrom"] = kube::Json::parse(R"J([
    {"configMapRef": {"name": "settings"}, "prefix": "CFG_"},
    {"secretRef": {"name": "db"}}
  ])J");
  const kube::Json created = client->create(resources::kPods, ns.name(), pod);
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "env", "Succeeded");
  const kube::Json terminated = testing::terminated_state(done);
  ASSERT_FALSE(terminated.is_null()) << done["status"].dump();
  const std::string uid = created["metadata"]["uid"];
  EXPECT_EQ(terminated.value("message", ""),
            "plain-value|pa55-word|blue||xl|dbt|env|" + ns.name() + "|" + uid + "|reporting|" +
                testing::kNodeName + "|default|127.0.0.1|postgres://dbt@127.0.0.1|127.0.0.1|");
}

TEST_F(NodeAgentPodEnvironment, MissingSecretHoldsThePodUntilItExists) {
  kube::Json pod = testing::shell_pod("waits", "printf %s \"$TOKEN\" > /dev/termination-log");
  pod["spec"]["containers"][0]["env"] = kube::Json::parse(R"J([
    {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "late", "key": "token"}}}])J");
  client->create(resources::kPods, ns.name(), pod);
  kube::Json waiting;
  ASSERT_TRUE(testing::eventually([&] {
    waiting = client->get(resources::kPods, ns.name(), "waits");
    const auto statuses = waiting.value("status", kube::Json::object())
                              .value("containerStatuses", kube::Json::array());
    return !statuses.empty() && statuses[0]["state"].contains("waiting") &&
           statuses[0]["state"]["waiting"].value("reason", "") == "CreateContainerConfigError";
  })) << waiting.value("status", kube::Json()).dump();
  EXPECT_EQ(waiting["status"]["phase"], "Pending");
  EXPECT_THAT(waiting["status"]["containerStatuses"][0]["state"]["waiting"].value("message", ""),
              HasSubstr("\"late\" not found"));

  client->create(resources::kSecrets, ns.name(),
                 {{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", {{"name", "late"}}},
                  {"stringData", {{"token", "arrived"}}}});
  const kube::Json done = testing::wait_for_phase(*client, ns.name(), "waits", "Succeeded");
  EXPECT_EQ(testing::terminated_state(done).value("message", ""), "arrived");
}

TEST_F(NodeAgentPodEnvironment, VolumesAreMountedWithTheirModesAndReadOnlyFlags) {
  testing::HostDir host;
  const std::string root = host.path() + "/mnt";
  kube::Json pod = testing::shell_pod(
      "volumes",
      "set -e; cd " + root +
          "; r=\"$(cat config/color)|$(cat config/size)|$(stat -c %a config/size)\"; "
          "r=\"$r|$(cat secret/pw)|$(stat -c %a secret/pw)\"; "
          "if touch secret/new 2>/dev/null; then r=\"$r|writable\"; else r=\"$r|read-only\"; fi; "
          "echo data > scratch/file; r=\"$r|$(stat -c %a scratch)|$(cat scratch/file)\"; "
          "r=\"$r|$(cat info/labels)|$(cat shared/seen-by-host)\"; "
          "printf %s \"$r\" > /dev/termination-log");
  pod["metadata"]["labels"] = {{"team", "data"}};
  std::filesystem::create_directories(host.path() + "/shared");
  { std::ofstream(host.path() + "/shared/seen-by-host") << "host-file"; }
  pod["spec"]["volumes"] = kube::Json::parse(R"J([
    {"name": "config", "configMap": {"name": "settings",
        "items": [{"key": "color", "path": "color"}, {"key": "size", "path": "size", "mode": 384}]}},
    {"name": "secret", "secret": {"secretName": "db", "defaultMode": 256,
        "items": [{"key": "password", "path": "pw"}]}},
    {"name": "scratch", "emptyDir": {}},
    {"name": "info", "downwardAPI": {"items": [
        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}
  ])J");
  pod["spec"]["volumes"].push_back(
      {{"name", "shared"}, {"hostPath", {{"path", host.path() + "/shared"}}}});
  pod["spec"]["containers"][0]["volumeMounts"] = {
      {{"name", "config"}, {"mountPath", root + "/config"}},
      {{"name", "secret"}, {"mountPath", root + "/secret"}, {"readOnly", true}},
      {{"name", "scratch"}, {"mountPath", root + "/scratch"}},
      {{"name", "info"}, {"mountPath", root + "/info"}},
      {{"name", "shared"}, {"mountPath", root + "/shared"}}};
  EXPECT_EQ(run_and_read_message(pod),
            "blue|xl|600|pa55-word|400|read-only|777|data|team=\"data\"|host-file");
  // The mounts lived in the pod's private mount namespace: the host sees empty mount points.
  EXPECT_FALSE(std::filesystem::exists(root + "/config/color"));
  EXPECT_FALSE(std::filesystem::exists(root + "/secret/pw"));
}

TEST_F(NodeAgentPodEnvironment, ServiceAccountTokenAuthenticatesAsThePodsServiceAccount) {
  const std::string sa = "/var/run/secrets/kubernetes.io/serviceaccount";
  testing::HostDir home;
  kube::Json pod = testing::shell_pod(
      "whoami", "set -e; r=\"$(cat " + sa + "/namespace)|$(stat -c %a " + sa +
                    "/token)\"; "
                    "grep -q 'BEGIN CERTIFICATE' " +
                    sa +
                    "/ca.crt && r=\"$r|ca\"; "
                    // In-cluster config: KUBERNETES_SERVICE_HOST/PORT, the token and ca.crt at the
                    // usual path.
                    "who=$(" +
                    TestCluster::get().kubectl_path() +
                    " auth whoami -o jsonpath='{.status.userInfo.username} "
                    "{.status.userInfo.extra.authentication\\.kubernetes\\.io/pod-name[0]}'); "
                    "printf '%s|%s' \"$r\" \"$who\" > /dev/termination-log");
  // No kubeconfig under HOME, so kubectl falls back to the in-cluster configuration.
  pod["spec"]["containers"][0]["env"] = {{{"name", "HOME"}, {"value", home.path()}}};
  EXPECT_EQ(run_and_read_message(pod),
            ns.name() + "|644|ca|system:serviceaccount:" + ns.name() + ":default whoami");
}

}  // namespace
}  // namespace kubedbt
