// The Node object the agent registers, its heartbeat status and its Lease.
#include "tests/cluster/node-agent/node_manifest.h"

#include <cstdio>
#include <ctime>

#include "tests/cluster/node-agent/pod_status.h"

namespace kubedbt::node_agent {
namespace {

Json node_condition(const std::string& type, bool value, const std::string& reason,
                    const std::string& message, const Json& previous_status,
                    std::chrono::system_clock::time_point now) {
  const std::string status = value ? "True" : "False";
  std::string since = format_time(now);
  for (const auto& old : previous_status.value("conditions", Json::array())) {
    if (old.value("type", "") == type && old.value("status", "") == status &&
        old.contains("lastTransitionTime") && old["lastTransitionTime"].is_string()) {
      since = old["lastTransitionTime"].get<std::string>();
    }
  }
  return {{"type", type},
          {"status", status},
          {"reason", reason},
          {"message", message},
          {"lastHeartbeatTime", format_time(now)},
          {"lastTransitionTime", since}};
}

}  // namespace

Json node_labels(const NodeFacts& facts) {
  return {{"kubernetes.io/hostname", facts.name},          {"kubernetes.io/os", "linux"},
          {"kubernetes.io/arch", facts.architecture},      {"beta.kubernetes.io/os", "linux"},
          {"beta.kubernetes.io/arch", facts.architecture}, {"node.kubedbt.io/agent", "true"}};
}

Json node_manifest(const NodeFacts& facts) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", facts.name}, {"labels", node_labels(facts)}}},
          {"spec", Json::object()}};
}

Json node_status(const NodeFacts& facts, const Json& previous_status,
                 std::chrono::system_clock::time_point now) {
  const Json resources = {{"cpu", std::to_string(facts.cpus)},
                          {"memory", std::to_string(facts.memory_bytes / 1024) + "Ki"},
                          {"pods", std::to_string(facts.max_pods)},
                          {"ephemeral-storage", "100Gi"}};
  return {
      {"conditions",
       Json::array({
           node_condition("MemoryPressure", false, "KubeletHasSufficientMemory",
                          "node agent has sufficient memory available", previous_status, now),
           node_condition("DiskPressure", false, "KubeletHasNoDiskPressure",
                          "node agent has no disk pressure", previous_status, now),
           node_condition("PIDPressure", false, "KubeletHasSufficientPID",
                          "node agent has sufficient PID available", previous_status, now),
           node_condition("Ready", true, "KubeletReady",
                          "kubedbt node agent is posting ready status", previous_status, now),
       })},
      {"capacity", resources},
      {"allocatable", resources},
      {"addresses", Json::array({{{"type", "InternalIP"}, {"address", facts.address}},
                                 {{"type", "Hostname"}, {"address", facts.name}}})},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 0}}}}},
      {"nodeInfo",
       {{"machineID", ""},
        {"systemUUID", ""},
        {"bootID", ""},
        {"kernelVersion", facts.kernel_version},
        {"osImage", facts.os_image},
        {"containerRuntimeVersion", "kubedbt-node-agent://" + facts.agent_version},
        {"kubeletVersion", facts.kubelet_version},
        {"kubeProxyVersion", ""},
        {"operatingSystem", "linux"},
        {"architecture", facts.architecture}}},
  };
}

Json node_lease(const std::string& node_name, const std::string& node_uid, int duration_seconds,
                std::chrono::system_clock::time_point now) {
  Json metadata = {{"name", node_name}, {"namespace", "kube-node-lease"}};
  if (!node_uid.empty()) {
    metadata["ownerReferences"] = Json::array(
        {{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_name}, {"uid", node_uid}}});
  }
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", metadata},
          {"spec",
           {{"holderIdentity", node_name},
            {"leaseDurationSeconds", duration_seconds},
            {"renewTime", format_micro_time(now)}}}};
}

std::string format_micro_time(std::chrono::system_clock::time_point time) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch());
  std::time_t seconds = static_cast<std::time_t>(micros.count() / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[48];
  std::size_t used = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buffer + used, sizeof buffer - used, ".%06lldZ",
                static_cast<long long>(micros.count() % 1000000));
  return buffer;
}

}  // namespace kubedbt::node_agent
