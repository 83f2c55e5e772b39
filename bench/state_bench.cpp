// State store figures: Slim CI (one changed model, deferred to prod's stored manifest) against a
// full build of a generated 300-model project, and dbt's parse time with and without the cached
// partial_parse.msgpack. Prints medians of 3; asserts nothing. Needs the test PostgreSQL:
// KUBEDBT_POSTGRES_DIR (tests/postgres/postgres.sh up --dir D).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runner/dbt/version.h"
#include "runner/os/subprocess.h"
#include "runner/state/partial_parse_cache.h"
#include "runner/state/state_store.h"
#include "tests/postgres/support/test_postgres.h"

namespace {

using namespace kubedbt;
namespace fs = std::filesystem;

constexpr int kRepeats = 3;
constexpr int kModels = 300;
constexpr int kChain = 30;  // models per chain: 10 chains
constexpr const char* kPasswordEnv = "DBT_ENV_SECRET_PG_PASSWORD";

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

std::string model_name(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "m_%03d", i);
  return name;
}

// 300 table models in 10 chains of 30, each chain from its own generated base of 1,000 rows.
void generate_project(const fs::path& dir) {
  write(dir / "dbt_project.yml",
        "name: wide\nversion: '1.0'\nconfig-version: 2\nprofile: shop\nmodel-paths: [models]\n"
        "models:\n  wide:\n    +materialized: table\n");
  for (int i = 0; i < kModels; ++i) {
    std::string sql = i % kChain == 0 ? "select g as id, g * " + std::to_string(i + 1) +
                                            " as value from generate_series(1, 1000) g\n"
                                      : "select id, value + 1 as value from {{ ref('" +
                                            model_name(i - 1) + "') }}\n";
    write(dir / "models" / (model_name(i) + ".sql"), sql);
  }
}

// Runs argv with output discarded; returns the wall time in seconds (negative when it failed).
double timed(const std::vector<std::string>& argv, const runner::Environment& env) {
  runner::SubprocessOptions p;
  p.argv = argv;
  p.env = env;
  p.on_stdout_line = [](const std::string&) {};
  p.on_stderr_line = [](const std::string&) {};
  auto start = std::chrono::steady_clock::now();
  int code = runner::run_subprocess(p).exit_code;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (code != 0) std::cerr << "warning: " << argv[0] << " exited with " << code << "\n";
  return seconds;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Bench {
  fs::path work;
  fs::path project;
  fs::path dbt;
  fs::path runner_binary;
  const testing::TestDatabase& db;
  runner::Environment env;
  int runs = 0;
  int partial_parses = 0;  // `dbt parse` runs whose log says dbt reused the partial parse

  nlohmann::json target(const std::string& name, const std::string& schema) const {
    const auto& server = testing::PostgresServer::get();
    return {{"name", name},        {"host", server.host},        {"port", server.port},
            {"user", server.user}, {"dbname", db.name()},        {"schema", schema},
            {"threads", 8},        {"passwordEnv", kPasswordEnv}};
  }

  // One runner invocation in a fresh work folder (a fresh pod); returns its wall time.
  double run(const nlohmann::json& spec) {
    auto e = env;
    e["KUBEDBT_RUN_SPEC"] = spec.dump();
    e["KUBEDBT_DBT"] = dbt.string();
    auto dir = work / ("pod-" + std::to_string(++runs));
    return timed({runner_binary.string(), "--work-dir", dir.string()}, e);
  }

  nlohmann::json prod_spec() const {
    return {{"project", "wide"},
            {"profile", "shop"},
            {"source", {{"path", project.string()}}},
            {"target", target("prod", "analytics")},
            {"commands", {"build"}}};
  }

  nlohmann::json ci_spec(int pr) const {
    auto spec = prod_spec();
    spec["target"] = target("ci", "ci_base");
    spec["schema"] = "pr_" + std::to_string(pr);
    spec["defer"] = {{"to", "prod"}};
    spec["select"] = "state:modified+";
    return spec;
  }

  // `dbt parse` of the project with or without the stored partial-parse file in target/, with the
  // runner's --profile and --target (dbt's partial parse checks both).
  double parse(const std::optional<std::string>& cached) {
    auto dir = work / ("parse-" + std::to_string(++runs));
    if (cached) runner::restore_partial_parse(dir / "target", *cached);
    std::ostringstream yml;
    const auto& server = testing::PostgresServer::get();
    yml << "shop:\n  target: prod\n  outputs:\n    prod:\n      type: postgres\n      host: "
        << server.host << "\n      port: " << server.port << "\n      user: " << server.user
        << "\n      password: \"{{ env_var('" << kPasswordEnv
        << "') }}\"\n      dbname: " << db.name()
        << "\n      schema: analytics\n      threads: 8\n";
    write(dir / "profiles" / "profiles.yml", yml.str());
    auto e = env;
    e["DBT_TARGET_PATH"] = (dir / "target").string();
    e["DBT_LOG_PATH"] = (dir / "logs").string();
    double seconds = timed(
        {dbt.string(), "--log-format", "json", "parse", "--project-dir", project.string(),
         "--profiles-dir", (dir / "profiles").string(), "--profile", "shop", "--target", "prod"},
        e);
    std::ifstream log(dir / "logs" / "dbt.log");
    std::stringstream text;
    text << log.rdbuf();
    if (text.str().find("Partial parsing enabled") != std::string::npos) ++partial_parses;
    if (auto at = text.str().find("Unable to do partial parsing");
        cached && at != std::string::npos) {
      std::cerr << "dbt: " << text.str().substr(at, text.str().find('\n', at) - at) << "\n";
    }
    return seconds;
  }
};

}  // namespace

int main() {
  try {
    setenv("KUBEDBT_SOURCE_DIR", KUBEDBT_SOURCE_DIR_DEFAULT, 0);
    std::string pattern = (fs::temp_directory_path() / "kubedbt-state-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    testing::TestDatabase db("statebench");
    Bench b{pattern,
            fs::path(pattern) / "wide",
            testing::dbt_executable(),
            fs::path(KUBEDBT_RUNNER_BINARY),
            db,
            runner::current_environment()};
    b.env[kPasswordEnv] = testing::PostgresServer::get().password;
    b.env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False";
    generate_project(b.project);
    std::printf("state store figures, generated %d table models, dbt threads 8, median of %d\n",
                kModels, kRepeats);

    // Full builds of prod; the first also stores prod's manifest and the partial-parse cache.
    b.run(b.prod_spec());
    std::vector<double> full;
    for (int i = 0; i < kRepeats; ++i) full.push_back(b.run(b.prod_spec()));

    // The pull request: the last model of the first chain changes (no children).
    auto changed = b.project / "models" / (model_name(kChain - 1) + ".sql");
    write(changed,
          "select id, value + 2 as value from {{ ref('" + model_name(kChain - 2) + "') }}\n");
    std::vector<double> slim;
    for (int i = 0; i < kRepeats; ++i) slim.push_back(b.run(b.ci_spec(i + 1)));
    double f = median(full), s = median(slim);
    std::printf("full build (runner, prod):           wall %6.2f s\n", f);
    std::printf("Slim CI, 1 changed model (deferred): wall %6.2f s\n", s);
    std::printf("Slim CI / full build:                %6.3f (%.1fx faster)\n", s / f, f / s);

    // Parse time: a fresh target/ without and with the stored partial_parse.msgpack of prod.
    runner::TargetSpec target;
    const auto& server = testing::PostgresServer::get();
    target.host = server.host;
    target.port = server.port;
    target.user = server.user;
    target.dbname = db.name();
    runner::StateStore store(target, server.password, "kubedbt");
    runner::RunSpec spec;
    spec.project = "wide";
    spec.target.name = "prod";
    auto version = runner::installed_dbt_version(b.dbt.string(), "");
    auto cached = store.partial_parse(runner::partial_parse_key(spec, version));
    if (!cached) throw std::runtime_error("no partial-parse cache was stored for prod");
    // The project changed since prod's run: revert it so the cache matches the files.
    write(changed,
          "select id, value + 1 as value from {{ ref('" + model_name(kChain - 2) + "') }}\n");
    std::vector<double> scratch, reused;
    for (int i = 0; i < kRepeats; ++i) scratch.push_back(b.parse(std::nullopt));
    int without_cache = b.partial_parses;
    for (int i = 0; i < kRepeats; ++i) reused.push_back(b.parse(cached));
    int with_cache = b.partial_parses - without_cache;
    double p = median(scratch), r = median(reused);
    std::printf("dbt parse, no cache:                 wall %6.2f s (partial parse used %d/%d)\n", p,
                without_cache, kRepeats);
    std::printf(
        "dbt parse, stored partial parse:     wall %6.2f s (partial parse used %d/%d; %.1fx "
        "faster; cache %.0f KiB)\n",
        r, with_cache, kRepeats, p / r, cached->size() / 1024.0);
    fs::remove_all(pattern);
  } catch (const std::exception& e) {
    std::cerr << "state_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
