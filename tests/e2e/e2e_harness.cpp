// The end-to-end suite's harness: operator process, warehouse, git repository, webhook receiver.
#include "tests/e2e/e2e_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "tests/integration/operator/operator_harness.h"

extern char** environ;

namespace kubedbt::testing {
namespace {

using Json = nlohmann::json;

std::string random_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (int i = 0; i < 6; ++i) out.push_back(alphabet[rng() % 36]);
  return out;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tail(const std::string& text, std::size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

// Run pods are processes of the node agent. They run as uid 65532 unless dbt cannot be executed as
// that user on this machine (a virtualenv under a home folder only root may enter); then the
// project runs its pods as root, which only the local cluster tolerates.
bool runner_pods_need_root() {
  static const bool need = [] {
    auto r = run_command({"setpriv", "--reuid", "65532", "--regid", "65532", "--clear-groups",
                          dbt_executable().string(), "--version"});
    return r.exit_code != 0;
  }();
  return need;
}

// SQL identifiers of letters, digits and '_': "e2e-cancel" becomes "e2e_cancel".
std::string identifier(std::string text) {
  std::replace(text.begin(), text.end(), '-', '_');
  return text;
}

bool is_final(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed" || phase == "TimedOut" || phase == "Cancelled";
}

}  // namespace

std::string kubectl_or_throw(const std::vector<std::string>& args, const std::string& stdin_text) {
  auto r = TestCluster::get().kubectl(args, stdin_text);
  if (r.exit_code != 0) {
    std::string line;
    for (const auto& a : args) line += " " + a;
    throw std::runtime_error("kubectl" + line + " failed: " + r.err + r.out);
  }
  return r.out;
}

Json kubectl_json(const std::vector<std::string>& args) {
  auto with_output = args;
  with_output.insert(with_output.end(), {"-o", "json"});
  return Json::parse(kubectl_or_throw(with_output));
}

// --- Warehouse ---------------------------------------------------------------------------------

Warehouse::Warehouse(const std::string& prefix)
    : role_(identifier(prefix) + "_" + random_suffix()),
      password_(random_suffix() + random_suffix()) {
  execute_on_server("create role " + role_ + " login password '" + password_ + "'");
  database_ = std::make_unique<TestDatabase>(identifier(prefix));
  database_->load_shop_raw_data();
  database_->execute("alter database " + database_->name() + " owner to " + role_ +
                     "; alter schema raw owner to " + role_ + "; grant select on all tables in " +
                     "schema raw to " + role_ + ";");
}

Warehouse::~Warehouse() {
  database_.reset();
  try {
    execute_on_server("drop role if exists " + role_);
  } catch (const std::exception&) {
    // A role still owning objects elsewhere is left for the server's teardown.
  }
}

int Warehouse::active_sessions() const {
  return std::stoi(database_->value("select count(*) from pg_stat_activity where usename = '" +
                                    role_ + "' and state is distinct from 'idle'"));
}

// --- ShopRepository ----------------------------------------------------------------------------

ShopRepository::ShopRepository(const std::string& name)
    : dir_(binary_dir() / "e2e-work" / name / "shop") {
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  std::filesystem::copy(shop_project(), dir_, std::filesystem::copy_options::recursive);
  git({"init", "--quiet", "--initial-branch", "main"});
  git({"add", "-A"});
  git({"commit", "--quiet", "-m", "shop project from examples/shop"});
}

ShopRepository::~ShopRepository() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_.parent_path(), ignored);
}

void ShopRepository::git(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"git",
                                   "-C",
                                   dir_.string(),
                                   "-c",
                                   "user.name=kubedbt-e2e",
                                   "-c",
                                   "user.email=e2e@kubedbt.invalid"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_command(argv);
  if (r.exit_code != 0) throw std::runtime_error("git " + args.front() + ": " + r.err + r.out);
}

void ShopRepository::branch(const std::string& branch,
                            const std::map<std::string, std::string>& files) const {
  git({"checkout", "--quiet", "-b", branch, "main"});
  for (const auto& [path, content] : files) {
    std::filesystem::create_directories((dir_ / path).parent_path());
    std::ofstream(dir_ / path, std::ios::trunc) << content;
  }
  git({"add", "-A"});
  git({"commit", "--quiet", "-m", "change on " + branch});
  git({"checkout", "--quiet", "main"});
}

// --- E2eEnvironment ----------------------------------------------------------------------------

E2eEnvironment::E2eEnvironment(const std::string& prefix)
    : admin_(TestCluster::get().admin_client()),
      ns_(std::make_unique<TestNamespace>(*admin_, prefix)),
      warehouse_(prefix),
      repository_(ns_->name()) {
  auto kubeconfig = prepare_namespace(*admin_, ns());
  kubectl_or_throw({"-n", ns(), "create", "secret", "generic", "shop-warehouse",
                    "--from-literal=password=" + warehouse_.password()});
  operator_ = std::make_unique<OperatorProcess>(kubeconfig, ns(), "e2e");
  operator_->set_runner_command("");
  operator_->start();
}

void E2eEnvironment::apply(const Json& object) const {
  kubectl_or_throw({"-n", ns(), "apply", "-f", "-"}, object.dump());
}

void E2eEnvironment::apply_project(const Json& extra_spec) const {
  const auto& server = PostgresServer::get();
  auto target = [&](const std::string& schema) {
    return Json{{"host", server.host},
                {"port", server.port},
                {"user", warehouse_.role()},
                {"database", warehouse_.database().name()},
                {"schema", schema},
                {"threads", 4},
                {"sslmode", "disable"},
                {"passwordSecretRef", {{"name", "shop-warehouse"}, {"key", "password"}}}};
  };
  Json prod = target("analytics");
  prod["protected"] = true;
  Json spec = {{"source", {{"git", {{"url", repository_.url()}, {"ref", "main"}}}}},
               {"profile", "shop"},
               {"defaultTarget", "dev"},
               {"targets", {{"dev", target("dev")}, {"prod", prod}}},
               {"state", {{"schema", "kubedbt"}}}};
  if (runner_pods_need_root()) {
    spec["securityContext"] = {{"runAsUser", 0}, {"runAsGroup", 0}, {"runAsNonRoot", false}};
  }
  spec.update(extra_spec);
  apply({{"apiVersion", "kubedbt.io/v1alpha1"},
         {"kind", "DbtProject"},
         {"metadata", {{"name", "shop"}}},
         {"spec", spec}});
  auto r = TestCluster::get().kubectl(
      {"-n", ns(), "wait", "--for", "condition=Ready", "--timeout", "60s", "dbtproject/shop"});
  if (r.exit_code != 0) {
    throw std::runtime_error("DbtProject shop is not Ready: " +
                             get("dbtproject", "shop").value("status", Json::object()).dump() +
                             "\noperator log: " + tail(read_text(operator_->log_path()), 3000));
  }
}

std::string E2eEnvironment::trigger_schedule(const std::string& schedule,
                                             const std::string& job) const {
  if (!eventually(
          [&] {
            return TestCluster::get().kubectl({"-n", ns(), "get", "cronjob", schedule}).exit_code ==
                   0;
          },
          std::chrono::seconds(60), std::chrono::milliseconds(500))) {
    throw std::runtime_error("the operator made no CronJob for DbtSchedule " + schedule +
                             "; operator log: " + tail(read_text(operator_->log_path()), 3000));
  }
  kubectl_or_throw({"-n", ns(), "create", "job", job, "--from", "cronjob/" + schedule});
  return job;
}

Json E2eEnvironment::get(const std::string& kind, const std::string& name) const {
  return kubectl_json({"-n", ns(), "get", kind, name});
}

Json E2eEnvironment::wait_for_finished_run(const std::string& name,
                                           std::chrono::seconds timeout) const {
  Json run;
  bool finished = eventually(
      [&] {
        auto r = TestCluster::get().kubectl({"-n", ns(), "get", "dbtrun", name, "-o", "json"});
        if (r.exit_code != 0) return false;
        run = Json::parse(r.out);
        return is_final(run.value("status", Json::object()).value("phase", ""));
      },
      timeout, std::chrono::seconds(1));
  if (!finished) {
    throw std::runtime_error("DbtRun " + name + " did not finish within " +
                             std::to_string(timeout.count()) + " s\n" + diagnostics(name));
  }
  return run;
}

std::string E2eEnvironment::diagnostics(const std::string& run) const {
  std::string out;
  auto r = TestCluster::get().kubectl({"-n", ns(), "get", "dbtrun", run, "-o", "yaml"});
  out += "DbtRun:\n" + r.out + r.err;
  out += "\noperator log (tail):\n" + tail(read_text(operator_->log_path()), 2000);
  std::filesystem::path logs = TestCluster::get().dir() + "/node/logs";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(logs, ec)) {
    auto dir = entry.path().filename().string();
    if (dir.rfind(ns() + "_" + run, 0) == 0) {
      out +=
          "\nrunner log " + dir + " (tail):\n" + tail(read_text(entry.path() / "runner.log"), 3000);
    }
  }
  return out;
}

// --- WebhookReceiver ---------------------------------------------------------------------------

WebhookReceiver::WebhookReceiver() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("webhook receiver: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) handle(fd);
    }
  });
}

WebhookReceiver::~WebhookReceiver() {
  thread_.request_stop();
  thread_.join();
  ::close(listen_fd_);
}

std::vector<WebhookReceiver::Request> WebhookReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

// One request per connection: headers, then Content-Length bytes of body; answers 200.
void WebhookReceiver::handle(int fd) {
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string data;
  char buffer[4096];
  auto receive = [&] {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) data.append(buffer, static_cast<std::size_t>(n));
    return n > 0;
  };
  std::size_t header_end;
  while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
    if (!receive()) {
      ::close(fd);
      return;
    }
  }
  Request request;
  std::istringstream head(data.substr(0, header_end));
  std::string line;
  std::getline(head, line);
  std::istringstream first(line);
  first >> request.method >> request.path;
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers[name] = value;
  }
  if (request.headers.count("expect")) {
    const std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    ::send(fd, go_on.data(), go_on.size(), MSG_NOSIGNAL);
  }
  std::size_t length =
      request.headers.count("content-length") ? std::stoul(request.headers["content-length"]) : 0;
  while (data.size() - (header_end + 4) < length && receive()) {
  }
  request.body = data.substr(header_end + 4, length);
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  ::close(fd);
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
}

}  // namespace kubedbt::testing
