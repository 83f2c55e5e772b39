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
// Conflicting writes of one status patch before it gives up (each re-reads the DbtRun).
constexpr int kConflictAttempts = 3;

std::string run_id(const RunRef& run) { return run.namespace_name + "/" + run.name; }

// Whether `meta`'s controller owner reference is Job `job`.
bool controlled_by_job(const nlohmann::json& meta, const std::string& job) {
  for (const auto& owner : meta.value("ownerReferences", nlohmann::json::array())) {
    if (owner.value("controller", false) && owner.value("kind", "") == "Job" &&
        owner.value("name", "") == job) {
      return true;
    }
  }
  return false;
}

}  // namespace

DbtRunReporter::DbtRunReporter(std::unique_ptr<kube::Client> client, RunSpec spec)
    : client_(std::move(client)), spec_(std::move(spec)), throttle_(std::chrono::seconds(2)) {}

nlohmann::json DbtRunReporter::ensure_run_exists() {
  const auto& run = *spec_.run;
  try {
    return client_->get(kDbtRuns, run.namespace_name, run.name);
  } catch (const kube::NotFound&) {
    if (!run.create_if_missing) {
      throw NotThisRunError("DbtRun " + run_id(run) +
                            " does not exist (it was deleted before this pod started), so this "
                            "pod runs nothing");
    }
  }
  auto job = client_->get(kube::resources::kJobs, run.namespace_name, run.job_name);
  auto object =
      api::to_json(dbt_run_for_job(spec_, job.at("metadata").at("uid").get<std::string>()));
  try {
    auto created = client_->create(kDbtRuns, run.namespace_name, object);
    log::info("created the DbtRun of this Job",
              {{"namespace", run.namespace_name}, {"name", run.name}, {"job", run.job_name}});
    return created;
  } catch (const kube::AlreadyExists&) {
    // The operator made it meanwhile (a pod that started late): report into that one.
    return client_->get(kDbtRuns, run.namespace_name, run.name);
  }
}

void DbtRunReporter::check_is_this_run(const nlohmann::json& object) {
  const auto& run = *spec_.run;
  const auto& meta = object.at("metadata");
  if (!run.uid.empty() && meta.value("uid", "") != run.uid) {
    throw NotThisRunError("DbtRun " + run_id(run) +
                          " is not the run this pod was started for: it was deleted and created "
                          "again, and the new one gets a Job of its own; this pod runs nothing");
  }
  if (run.create_if_missing && !controlled_by_job(meta, run.job_name)) {
    throw NotThisRunError(
        "DbtRun " + run_id(run) + " exists but is not owned by Job " + run.job_name +
        ", so it is not this scheduled run's: a DbtRun was created under the name of this "
        "schedule's run. This pod runs nothing; delete or rename that DbtRun");
  }
  auto decoded = api::dbt_run_from_json(object);
  if (decoded.status.phase && api::is_finished(*decoded.status.phase)) {
    throw NotThisRunError("DbtRun " + run_id(run) + " already ended (" +
                          std::string(api::to_string(*decoded.status.phase)) +
                          (decoded.status.message ? ": " + *decoded.status.message : "") +
                          ") before this pod started; this pod runs nothing");
  }
  resource_version_ = meta.value("resourceVersion", "");
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

bool DbtRunReporter::reread() {
  const auto& run = *spec_.run;
  try {
    auto object = client_->get(kDbtRuns, run.namespace_name, run.name);
    resource_version_ = object.at("metadata").value("resourceVersion", "");
    auto decoded = api::dbt_run_from_json(object);
    if (!wrote_final_ && decoded.status.phase && api::is_finished(*decoded.status.phase)) {
      ended_elsewhere_ = true;
      log::warn("the DbtRun was ended by someone else; its status is left as it is",
                {{"namespace", run.namespace_name},
                 {"name", run.name},
                 {"phase", std::string(api::to_string(*decoded.status.phase))}});
    }
    return true;
  } catch (const std::exception& e) {
    log::warn("cannot read the DbtRun",
              {{"namespace", run.namespace_name}, {"name", run.name}, {"error", e.what()}});
    return false;
  }
}

bool DbtRunReporter::patch(const nlohmann::json& body) {
  const auto& run = *spec_.run;
  for (int attempt = 0; attempt < kConflictAttempts && !ended_elsewhere_; ++attempt) {
    auto conditional = body;
    if (!resource_version_.empty()) {
      conditional["metadata"]["resourceVersion"] = resource_version_;
    }
    try {
      auto written =
          client_->merge_patch(kDbtRuns, run.namespace_name, run.name, conditional, "status");
      resource_version_ = written.at("metadata").value("resourceVersion", "");
      return true;
    } catch (const kube::Conflict&) {
      if (!reread()) return false;
    } catch (const std::exception& e) {
      log::warn("status patch failed",
                {{"namespace", run.namespace_name}, {"name", run.name}, {"error", e.what()}});
      return false;
    }
  }
  // Nothing is left to write once someone else ended the run.
  return ended_elsewhere_;
}

bool DbtRunReporter::patch_with_retries(const nlohmann::json& body, int attempts) {
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (patch(body)) return true;
    if (attempt < attempts) std::this_thread::sleep_for(std::chrono::seconds(attempt));
  }
  return false;
}

void DbtRunReporter::started(const RunStatus& status) {
  check_is_this_run(ensure_run_exists());
  throttle_.pass();
  patch(status_patch(status));
}

void DbtRunReporter::progressed(const RunStatus& status) {
  if (throttle_.pass()) patch(status_patch(status));
}

void DbtRunReporter::finished(const RunStatus& status) {
  if (patch_with_retries(status_patch(status), 5)) {
    wrote_final_ = !ended_elsewhere_;
    return;
  }
  log::error("could not write the final status",
             {{"namespace", spec_.run->namespace_name}, {"name", spec_.run->name}});
}

void DbtRunReporter::notified(const RunStatus& status) {
  if (!wrote_final_) return;  // the deliveries belong to a final status this reporter wrote
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
