// Reports a run into its DbtRun's status subresource: live progress at most every 2 s, the final
// status with retries. A CronJob's run creates its DbtRun first when it is missing.
#pragma once

#include <memory>

#include "kube/client.h"
#include "runner/os/throttle.h"
#include "runner/report/status_reporter.h"
#include "runner/spec/run_spec.h"

namespace kubedbt::runner {

class DbtRunReporter : public StatusReporter {
 public:
  DbtRunReporter(std::unique_ptr<kube::Client> client, RunSpec spec);
  void started(const RunStatus& status) override;
  void progressed(const RunStatus& status) override;
  void finished(const RunStatus& status) override;
  void notified(const RunStatus& status) override;

 private:
  // Creates the DbtRun (owned by the Job) when it is missing and the spec allows it.
  void ensure_run_exists();
  // The status subresource's merge patch for `status`.
  nlohmann::json status_patch(const RunStatus& status) const;
  // Sends a merge patch of the status subresource; false (logged) when the API refused it.
  bool patch(const nlohmann::json& body);
  // patch(), up to `attempts` times with a growing pause; false when every attempt failed.
  bool patch_with_retries(const nlohmann::json& body, int attempts);

  std::unique_ptr<kube::Client> client_;
  RunSpec spec_;
  Throttle throttle_;
};

// The DbtRun reporter of spec.run (kube client from $KUBECONFIG or the pod's service account).
std::unique_ptr<StatusReporter> make_dbt_run_reporter(const RunSpec& spec);

}  // namespace kubedbt::runner
