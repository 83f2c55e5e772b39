// Status file: write to a temporary name, then rename over the old one.
#include "runner/report/cluster/file_status_reporter.h"

#include <fstream>
#include <stdexcept>

#include "runner/report/cluster/dbtrun_status.h"

namespace kubedbt::runner {

FileStatusReporter::FileStatusReporter(std::filesystem::path file, std::string target,
                                       std::string job_name)
    : file_(std::move(file)),
      target_(std::move(target)),
      job_name_(std::move(job_name)),
      throttle_(std::chrono::seconds(2)) {}

void FileStatusReporter::write(const RunStatus& status) {
  auto tmp = file_;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write status file " + tmp.string());
    out << api::encode(to_dbt_run_status(status, target_, job_name_)).dump(2) << "\n";
  }
  std::filesystem::rename(tmp, file_);
}

void FileStatusReporter::started(const RunStatus& status) { write(status); }

void FileStatusReporter::progressed(const RunStatus& status) {
  if (throttle_.pass()) write(status);
}

void FileStatusReporter::finished(const RunStatus& status) { write(status); }

void FileStatusReporter::notified(const RunStatus& status) { write(status); }

}  // namespace kubedbt::runner
