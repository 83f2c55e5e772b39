// Harness: namespace preparation with deploy/rbac, and the operator process (spawned, signalled).
#include "tests/integration/operator/operator_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "kube/errors.h"
#include "tests/integration/api/crd_fixture.h"

extern char** environ;

namespace kubedbt::testing {
namespace {

using Json = nlohmann::json;

std::string env_or_throw(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) throw std::runtime_error(std::string(name) + " is not set (run through ctest)");
  return v;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void must(const CommandResult& r, const std::string& what) {
  if (r.exit_code != 0) throw std::runtime_error(what + ": " + r.err + r.out);
}

}  // namespace

std::string test_runner_command() {
  return "/bin/sh,-c,"
         "case \"$KUBEDBT_RUN_SPEC\" in "
         "*outcome*fail*) echo 'dbt build failed: model orders errored' >&2; exit 1;; "
         "*outcome*sleep*) sleep 300;; "
         "esac; exit 0";
}

std::string prepare_namespace(kube::Client& admin, const std::string& ns) {
  install_crds();
  const auto& cluster = TestCluster::get();
  for (const char* file : {"deploy/rbac/operator.yaml", "deploy/rbac/runner.yaml"}) {
    must(cluster.kubectl({"-n", ns, "apply", "-f", source_path(file)}),
         std::string("apply ") + file);
  }
  const std::string user = ns + "-operator";
  auto kubeconfig = cluster.user_kubeconfig(user, {});
  admin.create(
      kube::Resource{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", false}, "",
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "ClusterRoleBinding"},
       {"metadata", {{"name", user}}},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"},
         {"kind", "ClusterRole"},
         {"name", "kubedbt-operator"}}},
       {"subjects",
        Json::array(
            {{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "User"}, {"name", user}}})}});
  admin.create(
      kube::resources::kRoleBindings, ns,
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "RoleBinding"},
       {"metadata", {{"name", "operator-user-leader-election"}}},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"},
         {"kind", "Role"},
         {"name", "kubedbt-operator-leader-election"}}},
       {"subjects",
        Json::array(
            {{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "User"}, {"name", user}}})}});
  return kubeconfig;
}

OperatorProcess::OperatorProcess(std::string kubeconfig, std::string ns, std::string identity,
                                 std::vector<std::string> extra_args)
    : kubeconfig_(std::move(kubeconfig)),
      ns_(std::move(ns)),
      identity_(std::move(identity)),
      extra_args_(std::move(extra_args)) {
  log_path_ = TestCluster::get().dir() + "/operator-" + ns_ + "-" + identity_ + ".log";
}

OperatorProcess::~OperatorProcess() {
  if (pid_ > 0) kill_now();
}

void OperatorProcess::start() {
  if (pid_ > 0) throw std::runtime_error("operator already running");
  std::string binary = env_or_throw("KUBEDBT_BINARY_DIR") + "/operator/kubedbt-operator";
  std::vector<std::string> args = {binary,      "--kubeconfig",      kubeconfig_, "--namespaces",
                                   ns_,         "--lease-namespace", ns_,         "--identity",
                                   identity_,   "--health-port",     "0",         "--bind-address",
                                   "127.0.0.1", "--log-level",       "debug"};
  if (!runner_command_.empty()) args.insert(args.end(), {"--runner-command", runner_command_});
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + binary);
  ++starts_;
}

int OperatorProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void OperatorProcess::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool OperatorProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string OperatorProcess::log() const { return read_file(log_path_); }

int OperatorProcess::health_port() const {
  std::istringstream in(log());
  int port = 0;
  for (std::string line; std::getline(in, line);) {
    try {
      auto j = Json::parse(line);
      if (j.value("msg", "") == "operator starting") port = j.value("healthPort", 0);
    } catch (const Json::exception&) {
    }
  }
  return port;
}

std::string http_get(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, n);
  ::close(fd);
  auto space = response.find(' ');
  auto body = response.find("\r\n\r\n");
  if (space == std::string::npos || body == std::string::npos) return "";
  return response.substr(space + 1, 3) + " " + response.substr(body + 4);
}

}  // namespace kubedbt::testing
