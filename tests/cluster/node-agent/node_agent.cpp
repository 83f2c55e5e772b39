// The node agent's sync loop: scheduling, pod workers, reaping, heartbeat.
#include "tests/cluster/node-agent/node_agent.h"

#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "common/log.h"
#include "kube/errors.h"
#include "tests/cluster/node-agent/pod_status.h"
#include "tests/cluster/node-agent/scheduling.h"

namespace kubedbt::node_agent {
namespace {

constexpr std::chrono::milliseconds kLoopInterval{200};
constexpr std::chrono::seconds kBindRetry{2};

std::string host_path() {
  const char* path = std::getenv("PATH");
  return path != nullptr && *path != '\0'
             ? path
             : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

Json pod_fields(const Json& pod) {
  return {{"namespace", pod["metadata"].value("namespace", "")},
          {"name", pod["metadata"].value("name", "")}};
}

}  // namespace

NodeAgent::NodeAgent(kube::Client& client, NodeAgentOptions options, NodeFacts facts)
    : client_(client),
      options_(std::move(options)),
      objects_(client),
      heartbeat_(client, facts),
      context_{.client = client,
               .objects = objects_,
               .node_name = options_.node_name,
               .state_dir = options_.state_dir,
               .server_url = client.config().server,
               .image_map_path = options_.image_map_path,
               .host_path = host_path(),
               .facts = {.pod_ip = facts.address,
                         .host_ip = facts.address,
                         .node_cpu = std::to_string(facts.cpus),
                         .node_memory = std::to_string(facts.memory_bytes)}} {
  kube::InformerOptions assigned;
  assigned.field_selector = "spec.nodeName=" + options_.node_name;
  assigned_ = std::make_unique<kube::Informer>(client_, kube::resources::kPods, assigned);
  kube::InformerOptions pending;
  pending.field_selector = "spec.nodeName=";
  pending_ = std::make_unique<kube::Informer>(client_, kube::resources::kPods, pending);
  kube::InformerHandlers handlers{
      .on_add = [this](const Json&) { wake(); },
      .on_update = [this](const Json&, const Json&) { wake(); },
      .on_delete = [this](const Json&) { wake(); },
  };
  assigned_->add_handlers(handlers);
  pending_->add_handlers(handlers);
}

NodeAgent::~NodeAgent() {
  assigned_->stop();
  pending_->stop();
}

void NodeAgent::wake() {
  {
    std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wakeup_.notify_one();
}

void NodeAgent::run(std::stop_token stop) {
  std::stop_callback on_stop(stop, [this] { wake(); });
  std::error_code ignored;
  std::filesystem::remove_all(options_.state_dir + "/pods", ignored);  // stale volumes
  while (!stop.stop_requested()) {
    try {
      heartbeat_.register_node();
      break;
    } catch (const std::exception& error) {
      log::warn("node registration failed, retrying",
                {{"name", options_.node_name}, {"error", error.what()}});
      std::unique_lock lock(mutex_);
      wakeup_.wait_for(lock, std::chrono::seconds(2), [&] { return stop.stop_requested(); });
    }
  }
  assigned_->start();
  pending_->start();
  log::info("node agent running", {{"node", options_.node_name}, {"stateDir", options_.state_dir}});
  while (!stop.stop_requested()) {
    const auto now = std::chrono::system_clock::now();
    reap(now);
    if (assigned_->has_synced()) sync_pods(now);
    if (pending_->has_synced()) schedule_pending(now);
    heartbeat_.tick(now);
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, kLoopInterval, [&] { return dirty_ || stop.stop_requested(); });
    dirty_ = false;
  }
  shut_down();
}

void NodeAgent::reap(TimePoint now) {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    bool owned = false;
    for (auto* workers : {&workers_, &orphans_}) {
      for (auto& [uid, worker] : *workers) {
        if (worker->on_exit(pid, status, now)) {
          owned = true;
          break;
        }
      }
      if (owned) break;
    }
    // Otherwise an orphaned grandchild we adopted as subreaper: reaping it is all there is to do.
  }
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    if (it->second->has_processes()) {
      ++it;
      continue;
    }
    // A pod that vanished from the cache only for a moment has a live worker again: its files
    // are that worker's now.
    if (workers_.count(it->first) == 0) it->second->remove_files();
    it = orphans_.erase(it);
  }
}

void NodeAgent::sync_pods(TimePoint now) {
  std::set<std::string> present;
  for (const Json& pod : assigned_->list()) {
    const std::string uid = pod["metadata"].value("uid", "");
    present.insert(uid);
    auto& worker = workers_[uid];
    if (!worker) worker = std::make_unique<PodWorker>(context_, pod);
    try {
      worker->sync(pod, now);
    } catch (const std::exception& error) {
      Json fields = pod_fields(pod);
      fields["error"] = error.what();
      log::error("pod sync failed", fields);
    }
  }
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (present.count(it->first) != 0) {
      ++it;
      continue;
    }
    // The API object is gone (deleted by us, force-deleted, or its namespace removed).
    if (it->second->has_processes()) {
      log::info("pod object gone, killing its processes",
                {{"namespace", it->second->ns()}, {"name", it->second->name()}});
      it->second->kill_all();
    }
    orphans_[it->first] = std::move(it->second);
    it = workers_.erase(it);
  }
}

void NodeAgent::schedule_pending(TimePoint now) {
  const Json labels = node_labels(heartbeat_.facts());
  std::set<std::string> present;
  for (const Json& pod : pending_->list()) {
    if (!wants_scheduling(pod)) continue;
    const std::string uid = pod["metadata"].value("uid", "");
    present.insert(uid);
    auto next = next_bind_attempt_.find(uid);
    if (next != next_bind_attempt_.end() && now < next->second) continue;
    next_bind_attempt_[uid] = now + kBindRetry;
    const std::string reason = unschedulable_reason(pod, labels);
    if (!reason.empty()) {
      mark_unschedulable(pod, reason);
      continue;
    }
    const std::string ns = pod["metadata"].value("namespace", "");
    const std::string name = pod["metadata"].value("name", "");
    try {
      client_.create(kube::resources::kPods, ns, binding_for(pod, options_.node_name), "binding",
                     name);
      Json fields = pod_fields(pod);
      fields["node"] = options_.node_name;
      log::info("pod bound", fields);
    } catch (const kube::Conflict&) {
      // Already bound: the informers will catch up.
    } catch (const kube::NotFound&) {
    } catch (const std::exception& error) {
      Json fields = pod_fields(pod);
      fields["error"] = error.what();
      log::warn("pod binding failed, retrying", fields);
    }
  }
  std::erase_if(next_bind_attempt_,
                [&](const auto& entry) { return !present.contains(entry.first); });
}

void NodeAgent::mark_unschedulable(const Json& pod, const std::string& message) {
  for (const auto& condition :
       pod.value("status", Json::object()).value("conditions", Json::array())) {
    if (condition.value("type", "") == "PodScheduled" && condition.value("status", "") == "False" &&
        condition.value("message", "") == message) {
      return;
    }
  }
  const Json patch = {
      {"status",
       {{"conditions",
         Json::array({{{"type", "PodScheduled"},
                       {"status", "False"},
                       {"reason", "Unschedulable"},
                       {"message", message},
                       {"lastProbeTime", nullptr},
                       {"lastTransitionTime", format_time(std::chrono::system_clock::now())}}})}}}};
  try {
    client_.merge_patch(kube::resources::kPods, pod["metadata"].value("namespace", ""),
                        pod["metadata"].value("name", ""), patch, "status");
    Json fields = pod_fields(pod);
    fields["message"] = message;
    log::info("pod unschedulable", fields);
  } catch (const std::exception& error) {
    Json fields = pod_fields(pod);
    fields["error"] = error.what();
    log::warn("pod status update failed", fields);
  }
}

void NodeAgent::shut_down() {
  log::info("node agent stopping: terminating pod processes", {{"node", options_.node_name}});
  assigned_->stop();
  pending_->stop();
  auto all_workers = [&](auto&& action) {
    for (auto* workers : {&workers_, &orphans_}) {
      for (auto& [uid, worker] : *workers) action(*worker);
    }
  };
  auto wait_for_exit = [&](std::chrono::steady_clock::duration limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      reap(std::chrono::system_clock::now());
      bool any = false;
      all_workers([&](PodWorker& worker) { any = any || worker.has_processes(); });
      if (!any) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  all_workers([](PodWorker& worker) { worker.terminate(); });
  if (!wait_for_exit(options_.shutdown_grace)) {
    all_workers([](PodWorker& worker) { worker.kill_all(); });
    wait_for_exit(std::chrono::seconds(5));
  }
  all_workers([](PodWorker& worker) { worker.remove_files(); });
  log::info("node agent stopped", {{"node", options_.node_name}});
}

}  // namespace kubedbt::node_agent
