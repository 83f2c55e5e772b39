// Fork/exec with a process group of its own, a poll loop that drains both pipes, SIGINT then
// SIGKILL.
#include "runner/os/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace kubedbt::runner {
namespace {

using Clock = std::chrono::steady_clock;

// A line longer than this is delivered in pieces rather than held whole.
constexpr size_t kMaxLine = 1 << 20;
// How long pipes may stay open after the child exited (a grandchild holding them) before we stop.
constexpr auto kDrainAfterExit = std::chrono::seconds(2);

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  return {fds[0], fds[1]};
}

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// Splits a byte stream into lines for one callback.
class LineSplitter {
 public:
  explicit LineSplitter(const std::function<void(const std::string&)>& sink) : sink_(sink) {}
  void feed(const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (data[i] == '\n') {
        emit();
      } else {
        buffer_.push_back(data[i]);
        if (buffer_.size() >= kMaxLine) emit();
      }
    }
  }
  void finish() {
    if (!buffer_.empty()) emit();
  }

 private:
  void emit() {
    if (!buffer_.empty() && buffer_.back() == '\r') buffer_.pop_back();
    if (sink_) sink_(buffer_);
    buffer_.clear();
  }
  const std::function<void(const std::string&)>& sink_;
  std::string buffer_;
};

[[noreturn]] void exec_child(const SubprocessOptions& o, const Pipe& out, const Pipe& err,
                             const Pipe& status) {
  setpgid(0, 0);
  // Reset the dispositions the parent may have changed so the child handles SIGINT itself.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);
  dup2(out.write, STDOUT_FILENO);
  dup2(err.write, STDERR_FILENO);
  auto fail = [&](int code) {
    ssize_t ignored = ::write(status.write, &code, sizeof code);
    (void)ignored;
    _exit(127);
  };
  if (!o.working_dir.empty() && chdir(o.working_dir.c_str()) != 0) fail(errno);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : o.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // execvpe searches PATH of the parent; make it search the child's PATH instead.
  if (auto it = o.env.find("PATH"); it != o.env.end()) setenv("PATH", it->second.c_str(), 1);
  execvpe(argv[0], argv.data(), envp.data());
  fail(errno);
  _exit(127);
}

}  // namespace

Environment current_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

SubprocessResult run_subprocess(const SubprocessOptions& o) {
  if (o.argv.empty()) throw std::invalid_argument("run_subprocess: empty argv");
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  Pipe status = make_pipe();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(o.argv[0] + ": fork: " + std::strerror(errno));
  if (pid == 0) exec_child(o, out, err, status);
  setpgid(pid, pid);  // also here, so the group exists before we might signal it
  close_fd(out.write);
  close_fd(err.write);
  close_fd(status.write);

  int exec_errno = 0;
  if (::read(status.read, &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    close_fd(status.read);
    waitpid(pid, nullptr, 0);
    close_fd(out.read);
    close_fd(err.read);
    throw std::runtime_error(o.argv[0] + ": cannot start: " + std::strerror(exec_errno));
  }
  close_fd(status.read);

  LineSplitter out_lines(o.on_stdout_line);
  LineSplitter err_lines(o.on_stderr_line);
  SubprocessResult result;
  std::optional<Clock::time_point> interrupt_at;
  std::optional<Clock::time_point> exited_at;
  bool reaped = false;
  int wait_status = 0;
  std::array<char, 65536> buf{};

  while (out.read >= 0 || err.read >= 0 || !reaped) {
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    int out_slot = -1, err_slot = -1;
    if (out.read >= 0) {
      fds[n] = {out.read, POLLIN, 0};
      out_slot = static_cast<int>(n++);
    }
    if (err.read >= 0) {
      fds[n] = {err.read, POLLIN, 0};
      err_slot = static_cast<int>(n++);
    }
    if (o.wake_fd >= 0 && !interrupt_at) fds[n++] = {o.wake_fd, POLLIN, 0};
    int rc = poll(fds.data(), n, static_cast<int>(o.tick.count()));
    if (rc < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    auto drain = [&](int slot, int& fd, LineSplitter& lines) {
      if (slot < 0 || rc <= 0 || !(fds[slot].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t got = ::read(fd, buf.data(), buf.size());
      if (got > 0) {
        lines.feed(buf.data(), static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        lines.finish();
        close_fd(fd);
      }
    };
    drain(out_slot, out.read, out_lines);
    drain(err_slot, err.read, err_lines);

    if (!reaped) {
      pid_t w = waitpid(pid, &wait_status, WNOHANG);
      if (w == pid) {
        reaped = true;
        exited_at = Clock::now();
      }
    }
    auto now = Clock::now();
    if (!reaped) {
      if (!interrupt_at && o.should_stop && o.should_stop()) {
        result.interrupted = true;
        interrupt_at = now;
        kill(-pid, o.stop_signal);
      } else if (interrupt_at && !result.killed_after_grace && now - *interrupt_at >= o.grace) {
        result.killed_after_grace = true;
        kill(-pid, SIGKILL);
      }
    } else if ((out.read >= 0 || err.read >= 0) && now - *exited_at >= kDrainAfterExit) {
      // A grandchild keeps the pipes open: end it, keep what was read.
      kill(-pid, SIGKILL);
      out_lines.finish();
      err_lines.finish();
      close_fd(out.read);
      close_fd(err.read);
    }
  }
  if (WIFEXITED(wait_status)) {
    result.exit_code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    result.signal = WTERMSIG(wait_status);
    result.exit_code = 128 + WTERMSIG(wait_status);
  }
  return result;
}

CapturedOutput run_captured(const std::vector<std::string>& argv,
                            const std::filesystem::path& working_dir, const Environment& env) {
  SubprocessOptions o;
  o.argv = argv;
  o.working_dir = working_dir;
  o.env = env;
  return run_captured(std::move(o));
}

CapturedOutput run_captured(SubprocessOptions options) {
  CapturedOutput captured;
  options.on_stdout_line = [&](const std::string& line) { captured.out += line + "\n"; };
  options.on_stderr_line = [&](const std::string& line) { captured.err += line + "\n"; };
  auto result = run_subprocess(options);
  captured.exit_code = result.exit_code;
  captured.interrupted = result.interrupted;
  return captured;
}

}  // namespace kubedbt::runner
