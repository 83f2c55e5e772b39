// Signal handlers that only store the signal number and write one byte to a self-pipe.
#include "runner/os/cancellation.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kubedbt::runner {
namespace {

std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};

void on_signal(int signo) {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, signo);
  char byte = 1;
  int saved = errno;
  ssize_t ignored = ::write(g_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved;
}

}  // namespace

CancellationSignal::CancellationSignal() {
  if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("cancellation pipe: ") + std::strerror(errno));
  }
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

CancellationSignal& CancellationSignal::install() {
  static CancellationSignal instance;
  return instance;
}

bool CancellationSignal::requested() const { return g_signal.load() != 0; }

std::optional<int> CancellationSignal::signal() const {
  int s = g_signal.load();
  if (s == 0) return std::nullopt;
  return s;
}

int CancellationSignal::fd() const { return g_pipe[0]; }

}  // namespace kubedbt::runner
