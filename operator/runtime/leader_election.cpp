// Lease protocol: get; create when missing; take over when expired; conditional update always.
#include "operator/runtime/leader_election.h"

#include <cstdio>
#include <thread>

#include "common/log.h"
#include "kube/errors.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;

// metav1.MicroTime: RFC 3339 with microseconds.
std::string micro_time_now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - secs).count();
  std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long>(micros));
  return out;
}

void sleep_for(std::stop_token stop, std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

LeaderElector::LeaderElector(kube::Client& client, LeaderElectionOptions options)
    : client_(client), options_(std::move(options)) {}

bool LeaderElector::try_acquire_or_renew() {
  const auto& r = kube::resources::kLeases;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options_.lease_duration).count();
  auto now_text = micro_time_now();
  Json lease;
  try {
    lease = client_.get(r, options_.lease_namespace, options_.lease_name);
  } catch (const kube::NotFound&) {
    Json fresh = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", options_.lease_name}, {"namespace", options_.lease_namespace}}},
        {"spec",
         {{"holderIdentity", options_.identity},
          {"leaseDurationSeconds", seconds},
          {"acquireTime", now_text},
          {"renewTime", now_text},
          {"leaseTransitions", 0}}}};
    try {
      client_.create(r, options_.lease_namespace, fresh);
      observed_holder_ = options_.identity;
      observed_at_ = std::chrono::steady_clock::now();
      return true;
    } catch (const kube::AlreadyExists&) {
      return false;
    }
  }
  auto spec = lease.value("spec", Json::object());
  std::string holder = spec.value("holderIdentity", "");
  std::string renew = spec.value("renewTime", "");
  auto now = std::chrono::steady_clock::now();
  if (holder != observed_holder_ || renew != observed_renew_time_) {
    observed_holder_ = holder;
    observed_renew_time_ = renew;
    observed_at_ = now;
  }
  bool mine = holder == options_.identity;
  bool expired = holder.empty() || now >= observed_at_ + options_.lease_duration;
  if (!mine && !expired) return false;
  if (!mine) {
    spec["leaseTransitions"] = spec.value("leaseTransitions", 0) + 1;
    spec["acquireTime"] = now_text;
  }
  spec["holderIdentity"] = options_.identity;
  spec["leaseDurationSeconds"] = seconds;
  spec["renewTime"] = now_text;
  lease["spec"] = spec;
  try {
    client_.update(r, options_.lease_namespace, lease);  // conditional on resourceVersion
  } catch (const kube::Conflict&) {
    return false;
  }
  observed_holder_ = options_.identity;
  observed_renew_time_ = now_text;
  observed_at_ = now;
  return true;
}

void LeaderElector::release() {
  try {
    auto lease =
        client_.get(kube::resources::kLeases, options_.lease_namespace, options_.lease_name);
    if (lease["spec"].value("holderIdentity", "") != options_.identity) return;
    lease["spec"]["holderIdentity"] = "";
    lease["spec"]["leaseDurationSeconds"] = 1;
    lease["spec"]["renewTime"] = micro_time_now();
    client_.update(kube::resources::kLeases, options_.lease_namespace, lease);
    log::info("released the leader lease",
              {{"namespace", options_.lease_namespace}, {"name", options_.lease_name}});
  } catch (const std::exception& e) {
    log::warn("cannot release the leader lease", {{"error", e.what()}});
  }
}

bool LeaderElector::run(std::stop_token stop, const std::function<void()>& on_started,
                        const std::function<void()>& on_stopped) {
  log::info("waiting for the leader lease", {{"namespace", options_.lease_namespace},
                                             {"name", options_.lease_name},
                                             {"identity", options_.identity}});
  while (!stop.stop_requested()) {
    bool acquired = false;
    try {
      acquired = try_acquire_or_renew();
    } catch (const std::exception& e) {
      log::warn("leader election attempt failed", {{"error", e.what()}});
    }
    if (acquired) break;
    sleep_for(stop, options_.retry_period);
  }
  if (stop.stop_requested()) return false;
  leading_ = true;
  log::info("became the leader", {{"identity", options_.identity}});
  on_started();
  auto last_renew = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    sleep_for(stop, options_.retry_period);
    if (stop.stop_requested()) break;
    bool renewed = false;
    try {
      renewed = try_acquire_or_renew();
    } catch (const std::exception& e) {
      log::warn("lease renewal failed", {{"error", e.what()}});
    }
    auto now = std::chrono::steady_clock::now();
    if (renewed) {
      last_renew = now;
    } else if (now - last_renew >= options_.renew_deadline ||
               observed_holder_ != options_.identity) {
      leading_ = false;
      log::error("lost the leader lease; stopping reconciles",
                 {{"identity", options_.identity}, {"holder", observed_holder_}});
      on_stopped();
      return true;
    }
  }
  leading_ = false;
  on_stopped();
  release();
  return false;
}

}  // namespace kubedbt::op
