// The resources, labels and annotations the operator reads and writes, spelled once.
#pragma once

#include <string_view>

#include "kube/resource.h"

namespace kubedbt::op {

const kube::Resource kDbtProjects{"kubedbt.io", "v1alpha1", "dbtprojects", true};
const kube::Resource kDbtSchedules{"kubedbt.io", "v1alpha1", "dbtschedules", true};
const kube::Resource kDbtRuns{"kubedbt.io", "v1alpha1", "dbtruns", true};

namespace label {
// Every child the operator makes carries this, and its informers watch only such children.
inline constexpr std::string_view kManagedBy = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByValue = "kubedbt";
inline constexpr std::string_view kProject = "kubedbt.io/project";
inline constexpr std::string_view kSchedule = "kubedbt.io/schedule";
inline constexpr std::string_view kRun = "kubedbt.io/run";
// The runner labels the DbtRun it creates for a CronJob's Job with the Job's name.
inline constexpr std::string_view kJob = "kubedbt.io/job";
// Set by the Job controller on every pod of a Job.
inline constexpr std::string_view kJobName = "batch.kubernetes.io/job-name";
}  // namespace label

namespace annotation {
// Who created a DbtRun; the admission policy guarantees it equals the requesting user.
inline constexpr std::string_view kRequestedBy = "kubedbt.io/requested-by";
}  // namespace annotation

// The name under which the operator's server-side applies own their fields.
inline constexpr std::string_view kFieldManager = "kubedbt-operator";

}  // namespace kubedbt::op
