// Runner overhead: the same dbt build run bare and through kubedbt-runner, on the example project
// and on a generated 500-model project. Prints wall time and peak RSS (median of 5); asserts
// nothing. Needs the test PostgreSQL: KUBEDBT_POSTGRES_DIR (tests/postgres/postgres.sh up --dir D).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "runner/os/subprocess.h"
#include "tests/postgres/support/test_postgres.h"

namespace {

using namespace kubedbt;
namespace fs = std::filesystem;

constexpr int kRepeats = 5;
constexpr const char* kPasswordEnv = "DBT_ENV_SECRET_PG_PASSWORD";

struct Sample {
  double seconds = 0;
  long tree_peak_kb = 0;  // the largest process of the tree (dbt, in both cases)
  long own_peak_kb = 0;   // the started process itself (dbt bare, or the runner)
};

long vm_hwm_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Runs argv with output discarded; samples the process's own high-water mark while it runs.
Sample measure(const std::vector<std::string>& argv, const runner::Environment& env) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    FILE* devnull = std::fopen("/dev/null", "w");
    dup2(fileno(devnull), STDOUT_FILENO);
    dup2(fileno(devnull), STDERR_FILENO);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  Sample s;
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, WNOHANG, &usage) == 0) {
    s.own_peak_kb = std::max(s.own_peak_kb, vm_hwm_kb(pid));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.tree_peak_kb = usage.ru_maxrss;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "warning: " << argv[0] << " exited with status " << status << "\n";
  }
  return s;
}

template <typename F>
double median(std::vector<Sample> samples, F field) {
  std::vector<double> v;
  for (const auto& s : samples) v.push_back(static_cast<double>(field(s)));
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// 500 view models in 10 chains of 50, each chain from its own base, with a test on every tenth.
void generate_project(const fs::path& dir, int models) {
  write(dir / "dbt_project.yml",
        "name: wide\nversion: '1.0'\nconfig-version: 2\nprofile: shop\nmodel-paths: [models]\n"
        "models:\n  wide:\n    +materialized: view\n");
  std::ostringstream schema;
  schema << "version: 2\nmodels:\n";
  for (int i = 0; i < models; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "m_%03d", i);
    std::string sql;
    if (i % 50 == 0) {
      sql = "select g as id, g * " + std::to_string(i + 1) +
            " as value from generate_series(1, 100) g\n";
    } else {
      char parent[16];
      std::snprintf(parent, sizeof parent, "m_%03d", i - 1);
      sql = "select id, value + 1 as value from {{ ref('" + std::string(parent) + "') }}\n";
    }
    write(dir / "models" / (std::string(name) + ".sql"), sql);
    if (i % 10 == 0)
      schema << "  - name: " << name
             << "\n    columns:\n      - name: id\n        data_tests: [not_null]\n";
  }
  write(dir / "models" / "schema.yml", schema.str());
}

void bench_project(const std::string& label, const fs::path& project, const fs::path& work,
                   const fs::path& dbt, const fs::path& runner_binary, bool load_shop_data) {
  testing::TestDatabase db("bench");
  if (load_shop_data) db.load_shop_raw_data();
  const auto& server = testing::PostgresServer::get();
  nlohmann::json target = {{"name", "dev"},       {"host", server.host},
                           {"port", server.port}, {"user", server.user},
                           {"dbname", db.name()}, {"schema", "analytics"},
                           {"threads", 8},        {"passwordEnv", kPasswordEnv}};
  auto env = runner::current_environment();
  env[kPasswordEnv] = server.password;
  env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False";

  // Bare dbt with an equivalent profiles.yml.
  auto profiles = work / "bare-profiles";
  std::ostringstream yml;
  yml << "shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: "
      << server.host << "\n      port: " << server.port << "\n      user: " << server.user
      << "\n      password: \"{{ env_var('" << kPasswordEnv
      << "') }}\"\n      dbname: " << db.name() << "\n      schema: analytics\n      threads: 8\n";
  write(profiles / "profiles.yml", yml.str());
  auto bare_env = env;
  bare_env["DBT_TARGET_PATH"] = (work / "bare-target").string();
  bare_env["DBT_LOG_PATH"] = (work / "bare-logs").string();
  std::vector<std::string> bare_argv{dbt.string(),
                                     "--log-format",
                                     "json",
                                     "--no-use-colors",
                                     "build",
                                     "--project-dir",
                                     project.string(),
                                     "--profiles-dir",
                                     profiles.string(),
                                     "--target",
                                     "dev"};
  auto runner_env = env;
  runner_env["KUBEDBT_RUN_SPEC"] = nlohmann::json{
      {"profile", "shop"},
      {"source", {{"path", project.string()}}},
      {"target", target},
      {"commands", {"build"}}}.dump();
  runner_env["KUBEDBT_DBT"] = dbt.string();
  std::vector<std::string> runner_argv{runner_binary.string(), "--work-dir",
                                       (work / "runner-work").string()};

  std::vector<Sample> bare, through_runner;
  measure(bare_argv, bare_env);  // warm-up: first parse, partial-parse file written
  measure(runner_argv, runner_env);
  for (int i = 0; i < kRepeats; ++i) {
    bare.push_back(measure(bare_argv, bare_env));
    through_runner.push_back(measure(runner_argv, runner_env));
  }
  auto wall = [](const Sample& s) { return s.seconds; };
  auto tree = [](const Sample& s) { return s.tree_peak_kb; };
  auto own = [](const Sample& s) { return s.own_peak_kb; };
  double bw = median(bare, wall), rw = median(through_runner, wall);
  std::printf("%-22s bare dbt: wall %6.2f s  peak RSS %6.1f MiB\n", label.c_str(), bw,
              median(bare, tree) / 1024.0);
  std::printf("%-22s runner:   wall %6.2f s  peak RSS %6.1f MiB (dbt), runner itself %5.1f MiB\n",
              label.c_str(), rw, median(through_runner, tree) / 1024.0,
              median(through_runner, own) / 1024.0);
  std::printf("%-22s overhead: %+.2f s (%+.1f%%)\n", label.c_str(), rw - bw,
              100.0 * (rw - bw) / bw);
}

}  // namespace

int main() {
  try {
    auto source = fs::path(KUBEDBT_SOURCE_DIR_DEFAULT);
    setenv("KUBEDBT_SOURCE_DIR", source.c_str(), 0);
    auto runner_binary = fs::path(KUBEDBT_RUNNER_BINARY);
    auto dbt = testing::dbt_executable();
    std::string pattern = (fs::temp_directory_path() / "kubedbt-runner-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    fs::path work = pattern;
    std::printf("runner overhead, median of %d (after one warm-up each), dbt threads 8\n",
                kRepeats);

    auto shop = work / "shop";
    fs::copy(testing::shop_project(), shop, fs::copy_options::recursive);
    fs::remove_all(shop / "target");
    bench_project("example shop", shop, work / "shop-work", dbt, runner_binary, true);

    auto wide = work / "wide";
    generate_project(wide, 500);
    bench_project("generated 500 models", wide, work / "wide-work", dbt, runner_binary, false);
    fs::remove_all(work);
  } catch (const std::exception& e) {
    std::cerr << "runner_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
