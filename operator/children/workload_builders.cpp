// CronJob and Job builders: the pod template plus the scheduling and failure knobs around it.
#include "operator/children/workload_builders.h"

#include "operator/children/child_names.h"
#include "operator/children/owner_reference.h"
#include "operator/children/pod_template.h"
#include "operator/children/run_spec_builder.h"
#include "operator/core/kinds.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using Labels = std::map<std::string, std::string>;

Labels common_labels(const std::string& project) {
  return {{std::string(label::kManagedBy), std::string(label::kManagedByValue)},
          {std::string(label::kProject), label_value(project)}};
}

Json job_spec(const Json& pod_template, const std::optional<std::string>& timeout) {
  Json spec = {{"backoffLimit", 0}, {"template", pod_template}};
  auto deadlines = split_timeout(timeout);
  if (deadlines.job_active_deadline_seconds) {
    spec["activeDeadlineSeconds"] = *deadlines.job_active_deadline_seconds;
  }
  return spec;
}

}  // namespace

Json build_cron_job(const api::DbtSchedule& schedule, const api::DbtProject& project,
                    const std::string& target, const OperatorConfig& config) {
  Labels labels = common_labels(project.metadata.name);
  labels[std::string(label::kSchedule)] = label_value(schedule.metadata.name);
  auto pod = build_pod_template(project, schedule_run_inputs(schedule, target), config, labels);
  Json spec = {
      {"schedule", schedule.spec.schedule},
      {"timeZone", schedule.spec.time_zone},
      {"suspend", schedule.spec.suspend},
      {"concurrencyPolicy", std::string(api::to_string(schedule.spec.concurrency_policy))},
      {"successfulJobsHistoryLimit", schedule.spec.successful_runs_history_limit},
      {"failedJobsHistoryLimit", schedule.spec.failed_runs_history_limit},
      {"jobTemplate",
       {{"metadata", {{"labels", labels}}}, {"spec", job_spec(pod, schedule.spec.timeout)}}}};
  if (schedule.spec.starting_deadline_seconds) {
    spec["startingDeadlineSeconds"] = *schedule.spec.starting_deadline_seconds;
  }
  return {{"apiVersion", "batch/v1"},
          {"kind", "CronJob"},
          {"metadata",
           {{"name", cron_job_name(schedule.metadata.name)},
            {"namespace", schedule.metadata.namespace_},
            {"labels", labels},
            {"ownerReferences",
             Json::array({controller_reference(api::kDbtScheduleKind, schedule.metadata)})}}},
          {"spec", spec}};
}

Json build_job(const api::DbtRun& run, const api::DbtProject& project, const std::string& target,
               const OperatorConfig& config) {
  Labels labels = common_labels(project.metadata.name);
  labels[std::string(label::kRun)] = label_value(run.metadata.name);
  auto pod = build_pod_template(project, run_inputs(run, target), config, labels);
  return {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata",
       {{"name", job_name_of(run)},
        {"namespace", run.metadata.namespace_},
        {"labels", labels},
        {"ownerReferences", Json::array({controller_reference(api::kDbtRunKind, run.metadata)})}}},
      {"spec", job_spec(pod, run.spec.timeout)}};
}

Json build_drop_schema_job(const api::DbtRun& run, const api::DbtProject& project,
                           const std::string& target, const OperatorConfig& config) {
  Labels labels = common_labels(project.metadata.name);
  labels[std::string(label::kRun)] = label_value(run.metadata.name);
  auto pod = build_pod_template(project, run_inputs(run, target), config, labels);
  Json args = Json::array({"drop-schema"});
  for (const auto& [name, t] : project.spec.targets) {
    if (t.is_protected) {
      args.push_back("--protected-schema");
      args.push_back(t.schema);
    }
  }
  pod["spec"]["containers"][0]["args"] = args;
  Json spec = {{"backoffLimit", 2}, {"activeDeadlineSeconds", 600}, {"template", pod}};
  return {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata",
       {{"name", drop_schema_job_name(run.metadata.name)},
        {"namespace", run.metadata.namespace_},
        {"labels", labels},
        {"ownerReferences", Json::array({controller_reference(api::kDbtRunKind, run.metadata)})}}},
      {"spec", spec}};
}

}  // namespace kubedbt::op
