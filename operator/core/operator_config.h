// Settings of one operator process that shape the children it builds and what it prunes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kubedbt::op {

struct OperatorConfig {
  // Runner image when a DbtProject names none.
  std::string runner_image = "ghcr.io/kubedbt/kubedbt-runner:0.1.0";
  // Replaces the image entrypoint of the runner container when set. For clusters whose nodes run
  // commands rather than images (the local test cluster's node agent); empty in production.
  std::vector<std::string> runner_command;
  // ServiceAccount of runner pods when a DbtProject names none (deploy/rbac grants it).
  std::string runner_service_account = "kubedbt-runner";
  std::int64_t runner_uid = 65532;
  // Finished user-created DbtRuns kept per project and namespace; older ones are deleted.
  int run_history_limit = 20;
  // The ValidatingAdmissionPolicy whose protectedTargets map says who may start runs on each
  // protected target; a protected target it does not list gets no user-created runs.
  std::string protected_targets_policy = "kubedbt-protected-targets";
};

}  // namespace kubedbt::op
