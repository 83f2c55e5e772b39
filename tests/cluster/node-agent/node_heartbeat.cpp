// Registers the Node and keeps it fresh.
#include "tests/cluster/node-agent/node_heartbeat.h"

#include "common/log.h"
#include "kube/errors.h"

namespace kubedbt::node_agent {
namespace {

constexpr int kLeaseDurationSeconds = 40;
constexpr std::chrono::seconds kLeaseRenewInterval{10};
constexpr std::chrono::seconds kStatusInterval{30};
const char* const kLeaseNamespace = "kube-node-lease";

}  // namespace

NodeHeartbeat::NodeHeartbeat(kube::Client& client, NodeFacts facts)
    : client_(client), facts_(std::move(facts)) {}

void NodeHeartbeat::register_node() {
  Json node;
  try {
    node = client_.create(kube::resources::kNodes, "", node_manifest(facts_));
    log::info("node registered", {{"name", facts_.name}});
  } catch (const kube::AlreadyExists&) {
    node = client_.merge_patch(kube::resources::kNodes, "", facts_.name,
                               {{"metadata", {{"labels", node_labels(facts_)}}}});
    log::info("node already registered, adopted", {{"name", facts_.name}});
  }
  node_uid_ = node["metadata"].value("uid", "");
  last_status_ = node.value("status", Json::object());
  const auto now = std::chrono::system_clock::now();
  post_status(now);
  renew_lease(now);
}

void NodeHeartbeat::tick(std::chrono::system_clock::time_point now) {
  if (now >= next_lease_) renew_lease(now);
  if (now >= next_status_) post_status(now);
}

void NodeHeartbeat::post_status(std::chrono::system_clock::time_point now) {
  next_status_ = now + kStatusInterval;
  try {
    const Json status = node_status(facts_, last_status_, now);
    client_.merge_patch(kube::resources::kNodes, "", facts_.name, {{"status", status}}, "status");
    last_status_ = status;
  } catch (const kube::NotFound&) {
    log::warn("node object disappeared, registering again", {{"name", facts_.name}});
    try {
      register_node();
    } catch (const std::exception& error) {
      log::warn("node registration failed", {{"name", facts_.name}, {"error", error.what()}});
    }
  } catch (const std::exception& error) {
    next_status_ = now + std::chrono::seconds(2);
    log::warn("node status update failed", {{"name", facts_.name}, {"error", error.what()}});
  }
}

void NodeHeartbeat::renew_lease(std::chrono::system_clock::time_point now) {
  next_lease_ = now + kLeaseRenewInterval;
  const Json lease = node_lease(facts_.name, node_uid_, kLeaseDurationSeconds, now);
  try {
    try {
      client_.merge_patch(kube::resources::kLeases, kLeaseNamespace, facts_.name,
                          {{"spec", lease["spec"]}});
    } catch (const kube::NotFound&) {
      client_.create(kube::resources::kLeases, kLeaseNamespace, lease);
    }
  } catch (const std::exception& error) {
    next_lease_ = now + std::chrono::seconds(2);
    log::warn("node lease renewal failed", {{"name", facts_.name}, {"error", error.what()}});
  }
}

}  // namespace kubedbt::node_agent
