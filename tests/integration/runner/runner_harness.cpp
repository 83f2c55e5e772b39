// Integration harness: the runner as a child process, as Kubernetes would start it.
#include "tests/integration/runner/runner_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kubedbt::testing {

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void copy_shop_project(const std::filesystem::path& dest) {
  namespace fs = std::filesystem;
  fs::create_directories(dest);
  for (const auto& entry : fs::directory_iterator(shop_project())) {
    auto name = entry.path().filename().string();
    if (name == "target" || name == "logs" || name == "dbt_packages") continue;
    fs::copy(entry.path(), dest / name, fs::copy_options::recursive);
  }
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json read_json_file(const std::filesystem::path& file) {
  return nlohmann::json::parse(read_text(file));
}

nlohmann::json dev_spec(const TestDatabase& db, const std::filesystem::path& project_dir,
                        const std::string& schema) {
  const auto& server = PostgresServer::get();
  return {{"project", "shop"},
          {"profile", "shop"},
          {"source", {{"path", project_dir.string()}}},
          {"target",
           {{"name", "dev"},
            {"host", server.host},
            {"port", server.port},
            {"user", server.user},
            {"dbname", db.name()},
            {"schema", schema},
            {"threads", 4},
            {"passwordEnv", kPasswordEnv}}},
          {"commands", {"build"}}};
}

RunnerResult run_runner(const nlohmann::json& spec, const std::filesystem::path& work_root,
                        const RunnerOptions& options) {
  RunnerResult result;
  result.work_dir = work_root / "work";
  auto status_file = work_root / "status.json";
  auto env = runner::current_environment();
  for (const auto& name : options.unset) env.erase(name);
  for (const char* pg : {"PGPASSFILE", "PGPASSWORD", "PGHOST", "PGPORT"}) env.erase(pg);
  env["KUBEDBT_RUN_SPEC"] = options.spec_text.empty() ? spec.dump() : options.spec_text;
  env["KUBEDBT_DBT"] = dbt_executable().string();
  if (options.with_password) env[kPasswordEnv] = PostgresServer::get().password;
  for (const auto& [k, v] : options.env) env[k] = v;

  runner::SubprocessOptions p;
  p.argv = {(binary_dir() / "runner" / "kubedbt-runner").string(), "--work-dir",
            result.work_dir.string(), "--status-file", status_file.string()};
  p.argv.insert(p.argv.end(), options.args.begin(), options.args.end());
  p.env = env;
  p.on_stdout_line = [&](const std::string& line) { result.out += line + "\n"; };
  p.on_stderr_line = [&](const std::string& line) { result.err += line + "\n"; };
  p.should_stop = options.stop_when;
  p.stop_signal = options.stop_signal;
  p.grace = std::chrono::seconds(60);
  result.exit_code = runner::run_subprocess(p).exit_code;
  if (std::filesystem::exists(status_file)) result.status = read_json_file(status_file);
  return result;
}

std::vector<std::filesystem::path> files_containing(const std::filesystem::path& dir,
                                                    const std::string& needle) {
  std::vector<std::filesystem::path> found;
  if (!std::filesystem::exists(dir)) return found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && read_text(entry.path()).find(needle) != std::string::npos) {
      found.push_back(entry.path());
    }
  }
  return found;
}

int closed_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace kubedbt::testing
