// Writes the status as DbtRun.status JSON to a file (replaced atomically), for tools and tests.
#pragma once

#include <filesystem>

#include "runner/os/throttle.h"
#include "runner/report/status_reporter.h"

namespace kubedbt::runner {

class FileStatusReporter : public StatusReporter {
 public:
  FileStatusReporter(std::filesystem::path file, std::string target, std::string job_name);
  void started(const RunStatus& status) override;
  void progressed(const RunStatus& status) override;
  void finished(const RunStatus& status) override;
  void notified(const RunStatus& status) override;

 private:
  void write(const RunStatus& status);
  std::filesystem::path file_;
  std::string target_;
  std::string job_name_;
  Throttle throttle_;
};

}  // namespace kubedbt::runner
