// Starts a container's command as a local process in a private mount namespace.
#include "tests/cluster/node-agent/process_launcher.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace kubedbt::node_agent {
namespace {

// Where the child stopped, sent back through a close-on-exec pipe.
enum class Stage : int {
  Signals,
  Session,
  Unshare,
  MakePrivate,
  CreateTarget,
  BindMount,
  RemountReadOnly,
  Stdio,
  WorkingDir,
  Groups,
  Gid,
  Uid,
  Exec,
};

struct ChildFailure {
  Stage stage;
  int error;
  int index;  // which mount, for the mount stages
};

// Writes "/proc/self/fd/<fd>" into `out` without allocating (it runs between fork and exec).
void format_fd_path(int fd, std::array<char, 32>& out) {
  static constexpr char kPrefix[] = "/proc/self/fd/";
  std::size_t n = 0;
  for (; kPrefix[n] != '\0'; ++n) out[n] = kPrefix[n];
  char digits[12];
  std::size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0);
  while (count > 0) out[n++] = digits[--count];
  out[n] = '\0';
}

[[noreturn]] void fail(int fd, Stage stage, int index = -1) {
  ChildFailure failure{stage, errno, index};
  ssize_t ignored = write(fd, &failure, sizeof failure);
  (void)ignored;
  _exit(127);
}

// mkdir -p on a writable copy of the path; only system calls, safe after fork.
int make_dirs(char* path) {
  for (char* p = path + 1; *p != '\0'; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    int rc = mkdir(path, 0755);
    *p = '/';
    if (rc != 0 && errno != EEXIST) return -1;
  }
  if (mkdir(path, 0755) != 0 && errno != EEXIST) return -1;
  return 0;
}

// Creates the parent folders of a file target and the (empty) file itself.
int make_file(char* path) {
  char* slash = strrchr(path, '/');
  if (slash != nullptr && slash != path) {
    *slash = '\0';
    int rc = make_dirs(path);
    *slash = '/';
    if (rc != 0) return -1;
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno == EISDIR ? 0 : -1;
  close(fd);
  return 0;
}

std::string describe(const ChildFailure& failure, const LaunchSpec& spec) {
  const std::string cause = std::strerror(failure.error);
  auto mount = [&]() -> std::string {
    if (failure.index < 0 || static_cast<std::size_t>(failure.index) >= spec.mounts.size()) {
      return "?";
    }
    return spec.mounts[failure.index].source + " on " + spec.mounts[failure.index].target;
  };
  switch (failure.stage) {
    case Stage::Signals:
    case Stage::Session:
      return "failed to start a session: " + cause;
    case Stage::Unshare:
    case Stage::MakePrivate:
      return "failed to create a private mount namespace: " + cause;
    case Stage::CreateTarget:
      return "failed to create mount point for " + mount() + ": " + cause;
    case Stage::BindMount:
      return "failed to bind-mount " + mount() + ": " + cause;
    case Stage::RemountReadOnly:
      return "failed to make read-only " + mount() + ": " + cause;
    case Stage::Stdio:
      return "failed to connect stdio to the log: " + cause;
    case Stage::WorkingDir:
      return "chdir to cwd (\"" + spec.working_dir + "\") set in config.json failed: " + cause;
    case Stage::Groups:
    case Stage::Gid:
    case Stage::Uid:
      return "failed to switch user/group: " + cause;
    case Stage::Exec:
      if (failure.error == ENOENT && spec.argv[0].find('/') == std::string::npos) {
        return "exec: \"" + spec.argv[0] + "\": executable file not found in $PATH";
      }
      return "exec: \"" + spec.argv[0] + "\": " + cause;
  }
  return cause;
}

}  // namespace

std::vector<std::string> executable_candidates(const std::string& command,
                                               const std::string& path) {
  if (command.find('/') != std::string::npos) return {command};
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    out.push_back(dir + "/" + command);
    start = end + 1;
  }
  return out;
}

pid_t launch_process(const LaunchSpec& spec) {
  if (spec.argv.empty()) throw StartError("no command specified");
  // Everything the child touches is prepared here: after fork only system calls are safe.
  std::string container_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& var : spec.env) {
    if (var.rfind("PATH=", 0) == 0) container_path = var.substr(5);
  }
  const std::vector<std::string> candidates = executable_candidates(spec.argv[0], container_path);
  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& var : spec.env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);
  std::vector<std::string> targets;  // writable copies for make_dirs
  for (const auto& mount : spec.mounts) targets.push_back(mount.target);
  std::vector<std::array<char, 32>> source_paths(spec.mounts.size());
  std::string working_dir = spec.working_dir.empty() ? "/" : spec.working_dir;
  std::vector<gid_t> groups(spec.supplemental_groups.begin(), spec.supplemental_groups.end());

  int log_fd = open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) {
    throw StartError("cannot open log file " + spec.log_path + ": " + std::strerror(errno));
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    int error = errno;
    close(log_fd);
    throw StartError(std::string("pipe: ") + std::strerror(error));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    close(log_fd);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    throw StartError(std::string("fork: ") + std::strerror(error));
  }
  if (pid == 0) {
    const int report = pipe_fds[1];
    close(pipe_fds[0]);
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, nullptr) != 0) fail(report, Stage::Signals);
    struct sigaction defaults {};
    defaults.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &defaults, nullptr);
    }
    if (setsid() < 0) fail(report, Stage::Session);
    if (unshare(CLONE_NEWNS) != 0) fail(report, Stage::Unshare);
    if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      fail(report, Stage::MakePrivate);
    }
    // Every source is opened before the first mount: a volume mounted over a folder (an emptyDir
    // on /tmp, say) must not hide the source of a later mount that lives under that folder.
    for (std::size_t i = 0; i < spec.mounts.size(); ++i) {
      const int fd = open(spec.mounts[i].source.c_str(), O_PATH | O_CLOEXEC);
      if (fd < 0) fail(report, Stage::BindMount, static_cast<int>(i));
      format_fd_path(fd, source_paths[i]);
    }
    for (std::size_t i = 0; i < spec.mounts.size(); ++i) {
      const BindMount& bind = spec.mounts[i];
      char* target = targets[i].data();
      int created = bind.is_file ? make_file(target) : make_dirs(target);
      if (created != 0) fail(report, Stage::CreateTarget, static_cast<int>(i));
      if (mount(source_paths[i].data(), target, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
        fail(report, Stage::BindMount, static_cast<int>(i));
      }
      if (bind.read_only &&
          mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
        fail(report, Stage::RemountReadOnly, static_cast<int>(i));
      }
    }
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) {
      fail(report, Stage::Stdio);
    }
    if (make_dirs(working_dir.data()) != 0 || chdir(working_dir.c_str()) != 0) {
      fail(report, Stage::WorkingDir);
    }
    if (spec.uid || spec.gid) {
      const gid_t gid = spec.gid.value_or(0);
      if (setgroups(groups.size(), groups.data()) != 0) fail(report, Stage::Groups);
      if (setgid(gid) != 0) fail(report, Stage::Gid);
      if (spec.uid && setuid(*spec.uid) != 0) fail(report, Stage::Uid);
    } else if (!groups.empty() && setgroups(groups.size(), groups.data()) != 0) {
      fail(report, Stage::Groups);
    }
    // Die with the agent; set last, since a credential change clears it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(137);
    // Nothing of the agent's leaks into the container (sockets, files).
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    int exec_error = ENOENT;
    for (const auto& candidate : candidates) {
      execve(candidate.c_str(), argv.data(), envp.data());
      if (errno != ENOENT && errno != ENOTDIR) exec_error = errno;
      if (errno == EACCES) continue;
      if (errno != ENOENT && errno != ENOTDIR) break;
    }
    errno = exec_error;
    fail(report, Stage::Exec);
  }
  close(log_fd);
  close(pipe_fds[1]);
  ChildFailure failure{};
  ssize_t got;
  do {
    got = read(pipe_fds[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  close(pipe_fds[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw StartError(describe(failure, spec));
  }
  return pid;
}

}  // namespace kubedbt::node_agent
