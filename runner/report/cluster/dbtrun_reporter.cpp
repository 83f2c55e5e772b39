// Status write-back through the kube client. A failed progress patch never fails the run; the
// final status is tried a few times before the runner gives up on it.
#include "runner/report/cluster/dbtrun_reporter.h"

#include <thread>

#include "api/dbt_run.h"
#include "common/log.h"
#include "kube/errors.h"
#include "runner/report/cluster/dbtrun_status.h"

namespace kubedbt::runner {
namespace {

const kube::Resource kDbtRuns{"kubedbt.io", "v1alpha1", "dbtruns", true};

}  // namespace

DbtRunReporter::DbtRunReporter(std::unique_ptr<kube::Client> client, RunSpec spec)
    : client_(std::move(client)), spec_(std::move(spec)), throttle_(std::chrono::seconds(2)) {}

void DbtRunReporter::ensure_run_exists() {
  const auto& run = *spec_.run;
  try {
    client_->get(kDbtRuns, run.namespace_name, run.name);
    return;
  } catch (const kube::NotFound&) {
    if (!run.create_if_missing) {
      throw std::runtime_error("DbtRun " + run.namespace_name + "/" + run.name + " does not exist");
    }
  }
  auto job = client_->get(kube::resources::kJobs, run.namespace_name, run.job_name);
  auto object =
      api::to_json(dbt_run_for_job(spec_, job.at("metadata").at("uid").get<std::string>()));
  try {
    client_->create(kDbtRuns, run.namespace_name, object);
    log::info("created the DbtRun of this Job",
              {{"namespace", run.namespace_name}, {"name", run.name}, {"job", run.job_name}});
  } catch (const kube::AlreadyExists&) {
    // The operator made it meanwhile (a pod that started late): report into that one.
  }
}

nlohmann::json DbtRunReporter::status_patch(const RunStatus& status) const {
  auto body = nlohmann::json{
      {"status", api::encode(to_dbt_run_status(status, spec_.target.name, spec_.run->job_name))}};
  // A merge patch keeps what it does not mention: a node that is no longer running is removed
  // explicitly, or a finished run would go on naming the last node a progress patch saw.
  auto& progress = body["status"]["progress"];
  if (progress.is_object() && !progress.contains("current")) progress["current"] = nullptr;
  return body;
}

bool DbtRunReporter::patch(const nlohmann::json& body) {
  const auto& run = *spec_.run;
  try {
    client_->merge_patch(kDbtRuns, run.namespace_name, run.name, body, "status");
    return true;
  } catch (const std::exception& e) {
    log::warn("status patch failed",
              {{"namespace", run.namespace_name}, {"name", run.name}, {"error", e.what()}});
    return false;
  }
}

bool DbtRunReporter::patch_with_retries(const nlohmann::json& body, int attempts) {
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (patch(body)) return true;
    if (attempt < attempts) std::this_thread::sleep_for(std::chrono::seconds(attempt));
  }
  return false;
}

void DbtRunReporter::started(const RunStatus& status) {
  ensure_run_exists();
  throttle_.pass();
  patch(status_patch(status));
}

void DbtRunReporter::progressed(const RunStatus& status) {
  if (throttle_.pass()) patch(status_patch(status));
}

void DbtRunReporter::finished(const RunStatus& status) {
  if (patch_with_retries(status_patch(status), 5)) return;
  log::error("could not write the final status",
             {{"namespace", spec_.run->namespace_name}, {"name", spec_.run->name}});
}

void DbtRunReporter::notified(const RunStatus& status) {
  // Only the deliveries: the final status is written and stays as it is.
  auto body = status_patch(status);
  body["status"] = {
      {"notifications", body["status"].value("notifications", nlohmann::json::array())}};
  patch_with_retries(body, 3);
}

std::unique_ptr<StatusReporter> make_dbt_run_reporter(const RunSpec& spec) {
  auto client = kube::make_client(kube::load_config());
  return std::make_unique<DbtRunReporter>(std::move(client), spec);
}

}  // namespace kubedbt::runner
