// Access to the shared local cluster: its env file, cluster.sh subcommands, kubectl, namespaces.
#include "tests/cluster/support/test_cluster.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "kube/errors.h"
#include "kube/resource.h"

extern char** environ;

namespace kubedbt::testing {
namespace {

using Env = std::map<std::string, std::string>;

std::string cluster_dir_from_environment() {
  const char* dir = std::getenv("KUBEDBT_CLUSTER_DIR");
  if (dir == nullptr || *dir == '\0') {
    throw std::runtime_error(
        "KUBEDBT_CLUSTER_DIR is not set: run the integration tests through ctest (the `cluster` "
        "fixture starts the cluster), or start one with `tests/cluster/cluster.sh --dir DIR up` "
        "and export KUBEDBT_CLUSTER_DIR=DIR");
  }
  return dir;
}

// Parses the `export KEY='value'` lines cluster.sh writes to DIR/env.
Env read_env_file(const std::string& dir) {
  const std::string path = dir + "/env";
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("no running cluster in " + dir + " (" + path +
                             " is missing): start it with `tests/cluster/cluster.sh --dir " + dir +
                             " up`");
  }
  Env env;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line.erase(0, 7);
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      throw std::runtime_error(path + ": malformed line: " + line);
    }
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    }
    env[line.substr(0, eq)] = value;
  }
  return env;
}

// The env file of the cluster, read once per process (cluster.sh rewrites it only on `up`).
const Env& cluster_env(const std::string& dir) {
  static const Env env = read_env_file(dir);
  return env;
}

const std::string& env_value(const std::string& dir, const std::string& key) {
  const Env& env = cluster_env(dir);
  const auto it = env.find(key);
  if (it == env.end() || it->second.empty()) {
    throw std::runtime_error(dir + "/env has no " + key +
                             ": restart the cluster with cluster.sh up");
  }
  return it->second;
}

// Runs `cluster.sh --dir DIR <args>`; returns its stdout without the trailing newline.
std::string cluster_sh(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{KUBEDBT_CLUSTER_SCRIPT, "--dir", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  const CommandResult result = run_command(argv);
  if (result.exit_code != 0) {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    throw std::runtime_error(command + " exited with " + std::to_string(result.exit_code) + ": " +
                             result.err);
  }
  std::string out = result.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A namespace name from a test's prefix: a lowercase DNS label with a random suffix.
std::string unique_namespace_name(const std::string& prefix) {
  std::string base;
  for (char c : prefix) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (allowed) {
      base += c;
    } else if (!base.empty() && base.back() != '-') {
      base += '-';
    }
  }
  while (!base.empty() && base.back() == '-') base.pop_back();
  if (base.size() > 48) base.resize(48);
  if (base.empty()) base = "t";

  static std::mutex mutex;
  static std::mt19937_64 random{std::random_device{}()};
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix;
  {
    std::lock_guard<std::mutex> lock(mutex);
    std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
    for (int i = 0; i < 8; ++i) suffix += kAlphabet[pick(random)];
  }
  return base + "-" + suffix;
}

void set_nonblocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    throw std::system_error(errno, std::generic_category(), "fcntl O_NONBLOCK");
  }
}

// A pipe whose ends close on exec; the child gets its end through dup2 only.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_read() {
    if (read_end >= 0) ::close(read_end);
    read_end = -1;
  }
  void close_write() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
  }
};

// The environment of the child: ours, with `extra` (KEY=VALUE) added or overriding.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    vars[entry.substr(0, entry.find('='))] = entry;
  }
  for (const auto& entry : extra) vars[entry.substr(0, entry.find('='))] = entry;
  std::vector<std::string> result;
  for (auto& [key, entry] : vars) result.push_back(std::move(entry));
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

}  // namespace

const TestCluster& TestCluster::get() {
  static const TestCluster cluster = [] {
    std::string dir = cluster_dir_from_environment();
    cluster_env(dir);  // fails here, with the fix, when the cluster is not running
    return TestCluster(std::move(dir));
  }();
  return cluster;
}

TestCluster::TestCluster(std::string dir) : dir_(std::move(dir)) {}

kube::Config TestCluster::admin_config() const { return kube::load_kubeconfig(admin_kubeconfig()); }

std::unique_ptr<kube::Client> TestCluster::admin_client() const {
  return kube::make_client(admin_config());
}

kube::Config TestCluster::user_config(const std::string& user,
                                      const std::vector<std::string>& groups) const {
  return kube::load_kubeconfig(user_kubeconfig(user, groups));
}

std::string TestCluster::user_kubeconfig(const std::string& user,
                                         const std::vector<std::string>& groups) const {
  std::vector<std::string> args{"mint-user", user};
  args.insert(args.end(), groups.begin(), groups.end());
  return cluster_sh(dir_, args);
}

void TestCluster::restart_apiserver() const { cluster_sh(dir_, {"restart-apiserver"}); }

void TestCluster::compact_etcd() const { cluster_sh(dir_, {"compact"}); }

std::string TestCluster::admin_kubeconfig() const { return env_value(dir_, "KUBECONFIG"); }

std::string TestCluster::kubectl_path() const { return env_value(dir_, "KUBEDBT_KUBECTL"); }

std::string TestCluster::helm_path() const { return env_value(dir_, "KUBEDBT_HELM"); }

CommandResult TestCluster::kubectl(const std::vector<std::string>& args,
                                   const std::string& stdin_text,
                                   const std::string& kubeconfig) const {
  std::vector<std::string> argv{kubectl_path(), "--kubeconfig",
                                kubeconfig.empty() ? admin_kubeconfig() : kubeconfig};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, stdin_text);
}

TestNamespace::TestNamespace(kube::Client& client, const std::string& prefix) : client_(client) {
  const kube::Json labels = {{"kubedbt.io/test-namespace", "true"}};
  for (int attempt = 0;; ++attempt) {
    name_ = unique_namespace_name(prefix);
    try {
      client_.create(kube::resources::kNamespaces, "",
                     {{"apiVersion", "v1"},
                      {"kind", "Namespace"},
                      {"metadata", {{"name", name_}, {"labels", labels}}}});
      break;
    } catch (const kube::AlreadyExists&) {
      if (attempt == 3) throw;
    }
  }
  // Pods can only be created once the serviceaccount controller has made `default`.
  const bool has_default_account = eventually([&] {
    try {
      client_.get(kube::resources::kServiceAccounts, name_, "default");
      return true;
    } catch (const kube::NotFound&) {
      return false;
    }
  });
  if (!has_default_account) {
    throw std::runtime_error("namespace " + name_ +
                             ": kube-controller-manager did not create the default ServiceAccount");
  }
}

TestNamespace::~TestNamespace() {
  try {
    client_.remove(kube::resources::kNamespaces, "", name_);
  } catch (const std::exception& e) {
    std::cerr << "warning: could not delete test namespace " << name_ << ": " << e.what() << "\n";
  }
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text,
                          const std::vector<std::string>& extra_env) {
  if (argv.empty()) throw std::invalid_argument("run_command: empty argv");
  // A child that exits without reading its stdin must not kill us with SIGPIPE.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });

  Pipe in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read_end, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write_end, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = argv;
  std::vector<std::string> env = child_environment(extra_env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(env);
  pid_t pid = -1;
  const int spawn_error =
      posix_spawnp(&pid, c_args[0], &actions, &attributes, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0) {
    throw std::system_error(spawn_error, std::generic_category(), "cannot run " + argv[0]);
  }
  in.close_read();
  out.close_write();
  err.close_write();

  CommandResult result;
  size_t written = 0;
  if (stdin_text.empty()) {
    in.close_write();
  } else {
    set_nonblocking(in.write_end);
  }
  char buffer[65536];
  while (out.read_end >= 0 || err.read_end >= 0) {
    pollfd fds[3];
    nfds_t count = 0;
    if (out.read_end >= 0) fds[count++] = {out.read_end, POLLIN, 0};
    if (err.read_end >= 0) fds[count++] = {err.read_end, POLLIN, 0};
    if (in.write_end >= 0) fds[count++] = {in.write_end, POLLOUT, 0};
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll on " + argv[0]);
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.write_end) {
        const ssize_t n =
            ::write(in.write_end, stdin_text.data() + written, stdin_text.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_text.size()) {
          in.close_write();  // done, or the child closed its stdin (EPIPE)
        }
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        (fds[i].fd == out.read_end ? result.out : result.err)
            .append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (fds[i].fd == out.read_end) {
          out.close_read();
        } else {
          err.close_read();
        }
      }
    }
  }
  in.close_write();

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace kubedbt::testing
