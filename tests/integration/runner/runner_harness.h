// Drives the kubedbt-runner binary for integration tests: a copy of the example project, a run
// spec for a test database, the runner's output, status file and work folder.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/os/subprocess.h"
#include "tests/postgres/support/test_postgres.h"

namespace kubedbt::testing {

inline constexpr const char* kPasswordEnv = "DBT_ENV_SECRET_PG_PASSWORD";

// A temporary folder removed when it goes out of scope.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "kubedbt-runner-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Copies examples/shop (without target/, logs/) to `dest`.
void copy_shop_project(const std::filesystem::path& dest);
void write_file(const std::filesystem::path& file, const std::string& text);
std::string read_text(const std::filesystem::path& file);

// A run spec building `project_dir` into `db`, target dev, schema `schema`.
nlohmann::json dev_spec(const TestDatabase& db, const std::filesystem::path& project_dir,
                        const std::string& schema = "analytics");

struct RunnerResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json status;  // the status file's last content (null when none was written)
  std::filesystem::path work_dir;
};

struct RunnerOptions {
  runner::Environment env;         // added to (or replacing in) the test's environment
  std::vector<std::string> unset;  // variables removed from it
  bool with_password = true;       // sets kPasswordEnv to the server's password
  std::string spec_text;           // overrides the spec JSON text (malformed specs)
  // Called while the runner runs; returning true sends it `stop_signal`.
  std::function<bool()> stop_when;
  int stop_signal = 15;  // SIGTERM, as Kubernetes sends it
  // Arguments after the runner's own --work-dir and --status-file, e.g. {"rollback"}.
  std::vector<std::string> args;
};

// Runs kubedbt-runner with the spec in $KUBEDBT_RUN_SPEC, a work folder inside `work_root`.
RunnerResult run_runner(const nlohmann::json& spec, const std::filesystem::path& work_root,
                        const RunnerOptions& options = {});

// Every regular file under `dir` whose content contains `needle`.
std::vector<std::filesystem::path> files_containing(const std::filesystem::path& dir,
                                                    const std::string& needle);

// The model, seed and test counts of a run_results.json, counted straight from the artifact.
nlohmann::json read_json_file(const std::filesystem::path& file);

// A loopback port nothing listens on.
int closed_loopback_port();

}  // namespace kubedbt::testing
