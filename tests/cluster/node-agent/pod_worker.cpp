// One pod on this node: volumes, container processes, deadline, deletion, status.
#include "tests/cluster/node-agent/pod_worker.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "kube/errors.h"
#include "tests/cluster/node-agent/container_env.h"
#include "tests/cluster/node-agent/image_map.h"
#include "tests/cluster/node-agent/process_launcher.h"
#include "tests/cluster/node-agent/volume_files.h"
#include "tests/cluster/node-agent/volume_writer.h"

namespace kubedbt::node_agent {
namespace {

using std::chrono::seconds;

constexpr seconds kRetryDelay{2};
constexpr seconds kMaxBackoff{30};
constexpr std::size_t kMaxTerminationMessage = 4096;
constexpr std::size_t kFallbackLogBytes = 2048;
constexpr int kFallbackLogLines = 80;
const char* const kDeadlineMessage =
    "Pod was active on the node longer than the specified deadline";

std::vector<std::string> strings(const Json& array) {
  std::vector<std::string> out;
  for (const auto& item : array) out.push_back(item.get<std::string>());
  return out;
}

std::optional<int64_t> int_at(const Json& object, const char* field) {
  if (object.contains(field) && object[field].is_number_integer()) {
    return object[field].get<int64_t>();
  }
  return std::nullopt;
}

// runAsUser / runAsGroup of the container, else of the pod.
std::optional<uint32_t> security_id(const Json& pod, const Json& container, const char* field) {
  auto from_container = int_at(container.value("securityContext", Json::object()), field);
  if (from_container) return static_cast<uint32_t>(*from_container);
  auto from_pod = int_at(pod["spec"].value("securityContext", Json::object()), field);
  if (from_pod) return static_cast<uint32_t>(*from_pod);
  return std::nullopt;
}

std::string read_prefix(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

// The end of a log: at most `max_bytes` and `max_lines` lines.
std::string read_tail(const std::string& path, std::size_t max_bytes, int max_lines) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff start =
      std::max<std::streamoff>(0, size - static_cast<std::streamoff>(max_bytes));
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int lines = 0;
  for (std::size_t i = text.size(); i > 0; --i) {
    if (text[i - 1] == '\n' && i != text.size() && ++lines >= max_lines) return text.substr(i);
  }
  return text;
}

bool is_regular_file(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

int depth(const std::string& path) {
  return static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

std::vector<ContainerRecord> records_of(const Json& containers) {
  std::vector<ContainerRecord> out;
  for (const auto& container : containers) {
    ContainerRecord record;
    record.name = container.value("name", "");
    record.image = container.value("image", "");
    out.push_back(record);
  }
  return out;
}

}  // namespace

PodWorker::PodWorker(NodeContext& node, const Json& pod) : node_(node), pod_(pod) {
  const Json& metadata = pod["metadata"];
  ns_ = metadata.value("namespace", "");
  name_ = metadata.value("name", "");
  uid_ = metadata.value("uid", "");
  pod_dir_ = node_.state_dir + "/pods/" + uid_;
  log_dir_ = node_.state_dir + "/logs/" + ns_ + "_" + name_ + "_" + uid_;
  const Json& spec = pod["spec"];
  record_.restart_policy = spec.value("restartPolicy", "Always");
  record_.host_ip = node_.facts.host_ip;
  record_.pod_ip = node_.facts.pod_ip;
  record_.init_containers = records_of(spec.value("initContainers", Json::array()));
  record_.containers = records_of(spec.value("containers", Json::array()));
  for (const auto& container : spec.value("initContainers", Json::array())) {
    ContainerRuntime runtime;
    runtime.spec = container;
    init_runtime_.push_back(runtime);
  }
  for (const auto& container : spec.value("containers", Json::array())) {
    ContainerRuntime runtime;
    runtime.spec = container;
    runtime_.push_back(runtime);
  }
  // Found finished (the agent restarted): its processes are long gone; only deletion is left.
  adopted_terminal_ = is_terminal_phase(pod.value("status", Json::object()).value("phase", ""));
}

Json PodWorker::log_fields() const { return {{"namespace", ns_}, {"name", name_}}; }

void PodWorker::sync(const Json& pod, TimePoint now) {
  pod_ = pod;
  if (api_object_deleted_) return;
  const Json& metadata = pod_["metadata"];
  const Json& spec = pod_["spec"];
  const bool deletion_requested = metadata.contains("deletionTimestamp");
  if (adopted_terminal_) {
    if (deletion_requested) delete_api_object();
    return;
  }
  if (deletion_requested && stopping_ != Stopping::Deleted) {
    auto grace = int_at(metadata, "deletionGracePeriodSeconds")
                     .value_or(int_at(spec, "terminationGracePeriodSeconds").value_or(30));
    begin_stop(Stopping::Deleted, seconds(grace), now);
  }
  if (!record_.start_time) record_.start_time = now;
  auto deadline = int_at(spec, "activeDeadlineSeconds");
  if (stopping_ == Stopping::No && deadline && now >= *record_.start_time + seconds(*deadline) &&
      !is_terminal_phase(pod_phase(record_))) {
    record_.failed = true;
    record_.reason = "DeadlineExceeded";
    record_.message = kDeadlineMessage;
    begin_stop(Stopping::DeadlineExceeded,
               seconds(int_at(spec, "terminationGracePeriodSeconds").value_or(30)), now);
  }
  if (stopping_ != Stopping::No) {
    advance_stop(now);
    // The terminal status goes out once the processes are gone, with their exit states in it.
    if (has_processes()) return;
    report(now);
    if (stopping_ == Stopping::Deleted) delete_api_object();
    return;
  }
  if (is_terminal_phase(pod_phase(record_))) {
    report(now);
    return;
  }
  if (!volumes_ready_ && now >= next_volume_attempt_) set_up_volumes(now);
  if (volumes_ready_) {
    refresh_volumes_if_due(now);
    run_init_containers(now);
    const bool initialized =
        std::all_of(record_.init_containers.begin(), record_.init_containers.end(),
                    [](const ContainerRecord& init) { return init.state.succeeded(); });
    if (initialized) run_containers(now);
  }
  report(now);
}

void PodWorker::begin_stop(Stopping why, seconds grace, TimePoint now) {
  const bool first = stopping_ == Stopping::No;
  stopping_ = why;
  record_.stopping = true;
  const TimePoint kill_at = now + grace;
  if (first || kill_at < kill_at_) kill_at_ = kill_at;
  Json fields = log_fields();
  fields["gracePeriodSeconds"] = grace.count();
  fields["why"] = why == Stopping::Deleted ? "deleted" : "DeadlineExceeded";
  log::info("stopping pod", fields);
  if (has_processes()) signal_all(SIGTERM);
}

void PodWorker::advance_stop(TimePoint now) {
  if (has_processes() && !killed_ && now >= kill_at_) {
    log::info("grace period over, killing pod processes", log_fields());
    signal_all(SIGKILL);
    killed_ = true;
  }
}

void PodWorker::set_up_volumes(TimePoint now) {
  try {
    make_directories(node_.state_dir + "/pods", 0700);
    make_directories(pod_dir_ + "/volumes", 0700);
    std::optional<TimePoint> refresh_at;
    for (const auto& volume : pod_["spec"].value("volumes", Json::array())) {
      const std::string name = volume.value("name", "");
      RenderedVolume rendered =
          render_volume(pod_, volume, node_.objects, node_.objects, node_.facts, now);
      std::string path = pod_dir_ + "/volumes/" + name;
      switch (rendered.kind) {
        case VolumeKind::EmptyDir:
          make_directories(path);
          chmod(path.c_str(), 0777);
          break;
        case VolumeKind::HostPath:
          path = rendered.host_path;
          if (volume["hostPath"].value("type", "") == "DirectoryOrCreate") make_directories(path);
          break;
        case VolumeKind::Files:
          write_volume_files(path, rendered.files);
          break;
      }
      if (rendered.refresh_at && (!refresh_at || *rendered.refresh_at < *refresh_at)) {
        refresh_at = rendered.refresh_at;
      }
      volume_paths_[name] = path;
    }
    volume_refresh_at_ = refresh_at;
    volumes_ready_ = true;
    record_.sandbox_ready = true;
    const bool has_init = !record_.init_containers.empty();
    for (auto& container : record_.containers) {
      container.state = ContainerState::waiting(has_init ? "PodInitializing" : "ContainerCreating");
    }
    for (auto& init : record_.init_containers)
      init.state = ContainerState::waiting("PodInitializing");
  } catch (const std::exception& error) {
    // Messages name objects and keys, never values.
    const std::string message = std::string("MountVolume.SetUp failed: ") + error.what();
    for (auto& container : record_.containers) {
      container.state = ContainerState::waiting("ContainerCreating", message);
    }
    next_volume_attempt_ = now + kRetryDelay;
    Json fields = log_fields();
    fields["error"] = error.what();
    log::warn("volume setup failed, retrying", fields);
  }
}

void PodWorker::refresh_volumes_if_due(TimePoint now) {
  if (!volume_refresh_at_ || now < *volume_refresh_at_) return;
  try {
    std::optional<TimePoint> refresh_at;
    for (const auto& volume : pod_["spec"].value("volumes", Json::array())) {
      if (!volume.contains("projected")) continue;
      RenderedVolume rendered =
          render_volume(pod_, volume, node_.objects, node_.objects, node_.facts, now);
      write_volume_files(volume_paths_.at(volume.value("name", "")), rendered.files);
      if (rendered.refresh_at && (!refresh_at || *rendered.refresh_at < *refresh_at)) {
        refresh_at = rendered.refresh_at;
      }
    }
    volume_refresh_at_ = refresh_at;
    log::info("renewed projected service-account tokens", log_fields());
  } catch (const std::exception& error) {
    volume_refresh_at_ = now + seconds(10);
    Json fields = log_fields();
    fields["error"] = error.what();
    log::warn("token renewal failed, retrying", fields);
  }
}

void PodWorker::run_init_containers(TimePoint now) {
  for (std::size_t i = 0; i < record_.init_containers.size(); ++i) {
    ContainerRecord& record = record_.init_containers[i];
    ContainerRuntime& runtime = init_runtime_[i];
    if (record.state.succeeded()) continue;
    if (runtime.pid != 0) return;
    if (record.state.kind == ContainerState::Kind::Terminated) {
      if (record_.restart_policy == "Never") return;  // the pod has failed
      runtime.backoff =
          std::min(kMaxBackoff, runtime.backoff == seconds(0) ? seconds(1) : runtime.backoff * 2);
      record.last_state = record.state;
      record.state = ContainerState::waiting("CrashLoopBackOff",
                                             "back-off " + std::to_string(runtime.backoff.count()) +
                                                 "s restarting failed container=" + record.name);
      runtime.next_start = now + runtime.backoff;
      return;
    }
    if (now >= runtime.next_start) start(record, runtime, now);
    return;
  }
}

void PodWorker::run_containers(TimePoint now) {
  for (std::size_t i = 0; i < record_.containers.size(); ++i) {
    ContainerRecord& record = record_.containers[i];
    ContainerRuntime& runtime = runtime_[i];
    if (runtime.pid != 0) continue;
    if (record.state.kind == ContainerState::Kind::Terminated) {
      const bool restart = record_.restart_policy == "Always" ||
                           (record_.restart_policy == "OnFailure" && !record.state.succeeded());
      if (!restart) continue;
      const auto ran_for =
          record.state.finished_at.value_or(now) - record.state.started_at.value_or(now);
      if (ran_for > std::chrono::minutes(1)) runtime.backoff = seconds(0);
      runtime.backoff =
          std::min(kMaxBackoff, runtime.backoff == seconds(0) ? seconds(1) : runtime.backoff * 2);
      record.last_state = record.state;
      record.state = ContainerState::waiting("CrashLoopBackOff",
                                             "back-off " + std::to_string(runtime.backoff.count()) +
                                                 "s restarting failed container=" + record.name);
      runtime.next_start = now + runtime.backoff;
      continue;
    }
    if (record.state.kind == ContainerState::Kind::Waiting && now >= runtime.next_start) {
      start(record, runtime, now);
    }
  }
}

void PodWorker::start(ContainerRecord& record, ContainerRuntime& runtime, TimePoint now) {
  const Json& spec = runtime.spec;
  Json fields = log_fields();
  fields["container"] = record.name;
  LaunchSpec launch;
  try {
    ImageEnvironment image;
    if (!node_.image_map_path.empty()) {
      image = ImageMap::load(node_.image_map_path).resolve(record.image);
    }
    std::string path;
    for (const auto& entry : image.path_prepend) path += entry + ":";
    path += node_.host_path;
    launch.uid = security_id(pod_, spec, "runAsUser");
    launch.gid = security_id(pod_, spec, "runAsGroup");
    const std::string hostname = pod_["spec"].value("hostname", name_);
    EnvList base = {{"PATH", path},
                    {"HOSTNAME", hostname},
                    {"HOME", launch.uid.value_or(0) == 0 ? "/root" : "/"}};
    base.insert(base.end(), image.env.begin(), image.env.end());
    const EnvList service = kubernetes_service_env(node_.server_url);
    base.insert(base.end(), service.begin(), service.end());
    const EnvList env = build_container_env(pod_, spec, base, node_.objects, node_.facts);
    std::map<std::string, std::string> vars(env.begin(), env.end());
    for (const auto& [name, value] : env) launch.env.push_back(name + "=" + value);

    std::vector<std::string> command =
        spec.contains("command") ? strings(spec["command"]) : image.command;
    std::vector<std::string> args = spec.contains("args")      ? strings(spec["args"])
                                    : spec.contains("command") ? std::vector<std::string>{}
                                                               : image.args;
    for (const auto& part : command) launch.argv.push_back(expand_references(part, vars));
    for (const auto& part : args) launch.argv.push_back(expand_references(part, vars));
    launch.working_dir =
        spec.value("workingDir", image.working_dir.empty() ? "/" : image.working_dir);

    const Json pod_security = pod_["spec"].value("securityContext", Json::object());
    for (const auto& group : pod_security.value("supplementalGroups", Json::array())) {
      launch.supplemental_groups.push_back(group.get<uint32_t>());
    }
    if (auto fs_group = int_at(pod_security, "fsGroup")) {
      launch.supplemental_groups.push_back(static_cast<uint32_t>(*fs_group));
    }

    for (const auto& mount : spec.value("volumeMounts", Json::array())) {
      const std::string volume = mount.value("name", "");
      auto found = volume_paths_.find(volume);
      if (found == volume_paths_.end()) {
        throw ContainerConfigError("volumeMount " + volume + ": no such volume in the pod");
      }
      std::string source = found->second;
      const std::string sub_path = mount.value("subPath", "");
      if (!sub_path.empty()) {
        if (!is_safe_relative_path(sub_path)) {
          throw ContainerConfigError("volumeMount " + volume +
                                     ": subPath must stay inside the volume");
        }
        source += "/" + sub_path;
        if (!std::filesystem::exists(source)) make_directories(source);
      }
      launch.mounts.push_back({source, mount.value("mountPath", ""), mount.value("readOnly", false),
                               is_regular_file(source)});
    }
    runtime.termination_log = pod_dir_ + "/containers/" + record.name + "/termination-log";
    make_directories(pod_dir_ + "/containers/" + record.name, 0755);
    write_file_atomically(runtime.termination_log, "", 0666);
    const std::string message_path =
        spec.value("terminationMessagePath", std::string("/dev/termination-log"));
    if (!message_path.empty())
      launch.mounts.push_back({runtime.termination_log, message_path, false, true});
    std::stable_sort(
        launch.mounts.begin(), launch.mounts.end(),
        [](const BindMount& a, const BindMount& b) { return depth(a.target) < depth(b.target); });
    make_directories(log_dir_, 0755);
    runtime.log_path = log_dir_ + "/" + record.name + ".log";
    launch.log_path = runtime.log_path;
  } catch (const std::exception& error) {
    record.state = ContainerState::waiting("CreateContainerConfigError", error.what());
    runtime.next_start = now + kRetryDelay;
    fields["error"] = error.what();
    log::warn("container configuration failed, retrying", fields);
    return;
  }

  const bool restarted = !record.container_id.empty();
  if (restarted) ++record.restart_count;
  record.container_id =
      "kubedbt://" + uid_ + "-" + record.name + "-" + std::to_string(record.restart_count);
  try {
    runtime.pid = launch_process(launch);
    record.state = ContainerState::running(now);
    fields["pid"] = runtime.pid;
    fields["restartCount"] = record.restart_count;
    log::info("container started", fields);
  } catch (const StartError& error) {
    record.state = ContainerState::terminated(128, 0, now, now, error.what(), "StartError");
    fields["error"] = error.what();
    log::warn("container failed to start", fields);
  }
}

bool PodWorker::on_exit(pid_t pid, int wait_status, TimePoint now) {
  auto handle = [&](std::vector<ContainerRecord>& records,
                    std::vector<ContainerRuntime>& runtimes) -> bool {
    for (std::size_t i = 0; i < runtimes.size(); ++i) {
      if (runtimes[i].pid != pid) continue;
      kill(-pid, SIGKILL);  // whatever the container left behind in its process group
      int exit_code = 0;
      int signal = 0;
      if (WIFEXITED(wait_status)) {
        exit_code = WEXITSTATUS(wait_status);
      } else if (WIFSIGNALED(wait_status)) {
        signal = WTERMSIG(wait_status);
        exit_code = 128 + signal;
      }
      ContainerRecord& record = records[i];
      record.state =
          ContainerState::terminated(exit_code, signal, record.state.started_at.value_or(now), now,
                                     termination_message(runtimes[i], exit_code));
      runtimes[i].pid = 0;
      Json fields = log_fields();
      fields["container"] = record.name;
      fields["exitCode"] = exit_code;
      log::info("container exited", fields);
      return true;
    }
    return false;
  };
  return handle(record_.init_containers, init_runtime_) || handle(record_.containers, runtime_);
}

std::string PodWorker::termination_message(const ContainerRuntime& runtime, int exit_code) const {
  std::string message = read_prefix(runtime.termination_log, kMaxTerminationMessage);
  if (message.empty() && exit_code != 0 &&
      runtime.spec.value("terminationMessagePolicy", "File") == "FallbackToLogsOnError") {
    message = read_tail(runtime.log_path, kFallbackLogBytes, kFallbackLogLines);
  }
  return message;
}

void PodWorker::signal_all(int sig) {
  for (auto* runtimes : {&init_runtime_, &runtime_}) {
    for (const auto& runtime : *runtimes) {
      if (runtime.pid == 0) continue;
      if (kill(-runtime.pid, sig) != 0) kill(runtime.pid, sig);
    }
  }
}

void PodWorker::terminate() { signal_all(SIGTERM); }

void PodWorker::kill_all() { signal_all(SIGKILL); }

bool PodWorker::has_processes() const {
  auto running = [](const ContainerRuntime& runtime) { return runtime.pid != 0; };
  return std::any_of(init_runtime_.begin(), init_runtime_.end(), running) ||
         std::any_of(runtime_.begin(), runtime_.end(), running);
}

void PodWorker::remove_files() const {
  std::error_code ignored;
  std::filesystem::remove_all(pod_dir_, ignored);
}

void PodWorker::report(TimePoint now) {
  if (now < next_report_attempt_) return;
  const Json current = pod_.value("status", Json::object());
  const Json& previous = last_reported_.is_null() ? current : last_reported_;
  Json status = build_pod_status(record_, previous, now);
  // Conditions other components own (DisruptionTarget, readiness gates) are kept.
  for (const auto& condition : current.value("conditions", Json::array())) {
    const std::string type = condition.value("type", "");
    const bool ours = std::any_of(status["conditions"].begin(), status["conditions"].end(),
                                  [&](const Json& c) { return c.value("type", "") == type; });
    if (!ours) status["conditions"].push_back(condition);
  }
  if (status == last_reported_) return;
  const std::string old_phase =
      last_reported_.is_null() ? current.value("phase", "") : last_reported_.value("phase", "");
  try {
    node_.client.merge_patch(kube::resources::kPods, ns_, name_, {{"status", status}}, "status");
    last_reported_ = status;
    if (old_phase != status["phase"]) {
      Json fields = log_fields();
      fields["phase"] = status["phase"];
      if (status.contains("reason")) fields["reason"] = status["reason"];
      log::info("pod phase", fields);
    }
  } catch (const kube::NotFound&) {
    last_reported_ = status;  // the object is gone; the informer will tell us
  } catch (const std::exception& error) {
    next_report_attempt_ = now + seconds(1);
    Json fields = log_fields();
    fields["error"] = error.what();
    log::warn("pod status update failed, retrying", fields);
  }
}

void PodWorker::delete_api_object() {
  if (api_object_deleted_) return;
  kube::DeleteOptions options;
  options.grace_period_seconds = 0;
  options.precondition_uid = uid_;
  try {
    node_.client.remove(kube::resources::kPods, ns_, name_, options);
    log::info("pod terminated, API object deleted", log_fields());
    api_object_deleted_ = true;
  } catch (const kube::NotFound&) {
    api_object_deleted_ = true;
  } catch (const kube::Conflict&) {
    api_object_deleted_ = true;  // a newer pod of the same name: not ours to delete
  } catch (const std::exception& error) {
    Json fields = log_fields();
    fields["error"] = error.what();
    log::warn("pod deletion failed, retrying", fields);
  }
}

}  // namespace kubedbt::node_agent
