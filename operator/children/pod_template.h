// The runner pod template shared by a DbtSchedule's CronJob and a DbtRun's Job.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "api/dbt_project.h"
#include "operator/children/run_spec_builder.h"
#include "operator/core/operator_config.h"

namespace kubedbt::op {

// The run's writable scratch (an emptyDir): the runner's work folder, and TMPDIR for it, dbt,
// Python and git. Not /tmp: a volume there would hide whatever a node keeps under /tmp (the local
// cluster's node agent runs images from host folders, which may well live under /tmp).
inline constexpr std::string_view kWorkMountPath = "/var/run/kubedbt";

// The pod template: one `runner` container with the run spec in KUBEDBT_RUN_SPEC, the target's
// password as a secretKeyRef env var, the git credentials (optional keys `token`,
// `ssh-privatekey` of spec.source.git.secretRef) likewise, a writable kWorkMountPath as TMPDIR,
// non-root, read-only root filesystem, no privilege escalation, the termination message from the
// log on error. `labels` go on the pod. Throws std::invalid_argument when the target is not in the
// project.
nlohmann::json build_pod_template(const api::DbtProject& project, const RunInputs& inputs,
                                  const OperatorConfig& config,
                                  const std::map<std::string, std::string>& labels);

}  // namespace kubedbt::op
