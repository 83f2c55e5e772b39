// Leader election on a coordination.k8s.io/v1 Lease, like client-go's leaderelection: acquire
// when the holder's renewals stop for a lease duration, renew every retry period, and lose
// leadership when renewals fail for the renew deadline.
//
// RBAC: leases get/create/update (a Role in the Lease's namespace only).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include "kube/client.h"

namespace kubedbt::op {

struct LeaderElectionOptions {
  std::string lease_namespace;
  std::string lease_name = "kubedbt-operator";
  std::string identity;  // unique per process: pod name or host + pid
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

class LeaderElector {
 public:
  LeaderElector(kube::Client& client, LeaderElectionOptions options);

  // Blocks: tries to acquire until `stop`, calls on_started once it leads, renews, and returns
  // when leadership is lost (after calling on_stopped) or `stop` is requested (then releases the
  // lease so another process takes over at once). Returns whether leadership was lost.
  bool run(std::stop_token stop, const std::function<void()>& on_started,
           const std::function<void()>& on_stopped);

  bool is_leader() const { return leading_; }

 private:
  // One attempt to acquire or renew; true when this process holds the lease afterwards.
  bool try_acquire_or_renew();
  void release();

  kube::Client& client_;
  LeaderElectionOptions options_;
  std::atomic<bool> leading_{false};
  // What we last saw of the holder, and when (local clock: immune to skew between machines).
  std::string observed_holder_;
  std::string observed_renew_time_;
  std::chrono::steady_clock::time_point observed_at_{};
};

}  // namespace kubedbt::op
