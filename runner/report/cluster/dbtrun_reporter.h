// Reports a run into its DbtRun's status subresource: live progress at most every 2 s, the final
// status with retries. A CronJob's run creates its DbtRun first when it is missing. Every write is
// conditional on the resourceVersion last seen, so a phase someone else finished (the operator
// failed the run, it timed out) is never moved back to Running or overwritten.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "kube/client.h"
#include "runner/os/throttle.h"
#include "runner/report/status_reporter.h"
#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

// The DbtRun is not this pod's to run: it has already ended, or it is another object of the same
// name (a DbtRun deleted and created again, a user's DbtRun named like this Job). started()
// throws it before anything runs; the message says which and what to do.
class NotThisRunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DbtRunReporter : public StatusReporter {
 public:
  DbtRunReporter(std::unique_ptr<kube::Client> client, RunSpec spec);
  void started(const RunStatus& status) override;
  void progressed(const RunStatus& status) override;
  void finished(const RunStatus& status) override;
  void notified(const RunStatus& status) override;

 private:
  // The DbtRun, created (owned by the Job) when it is missing and the spec allows it.
  nlohmann::json ensure_run_exists();
  // Throws NotThisRunError unless `run` is this pod's DbtRun and has not ended.
  void check_is_this_run(const nlohmann::json& run);
  // The status subresource's merge patch for `status`.
  nlohmann::json status_patch(const RunStatus& status) const;
  // Reads the DbtRun's resourceVersion again; marks the run ended elsewhere when someone else
  // finished it. False (logged) when it cannot be read.
  bool reread();
  // Sends a merge patch of the status subresource, conditional on the last resourceVersion seen.
  // On a Conflict it reads the DbtRun again and retries, unless someone else finished the run
  // meanwhile (then it stops writing for good). False (logged) when the API refused it.
  bool patch(const nlohmann::json& body);
  // patch(), up to `attempts` times with a growing pause; false when every attempt failed.
  bool patch_with_retries(const nlohmann::json& body, int attempts);

  std::unique_ptr<kube::Client> client_;
  RunSpec spec_;
  Throttle throttle_;
  std::string resource_version_;  // of the DbtRun, as last read or written
  bool wrote_final_ = false;      // this reporter finished the run
  bool ended_elsewhere_ = false;  // someone else finished it: nothing more is written
};

// The DbtRun reporter of spec.run (kube client from $KUBECONFIG or the pod's service account).
std::unique_ptr<StatusReporter> make_dbt_run_reporter(const RunSpec& spec);

}  // namespace kubedbt::runner
