// The loopback listener: blocking sockets, poll on the listener and a stop pipe.
#include "tests/integration/notify/loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace kubedbt::testing {

LoopbackServer::LoopbackServer(const char* name) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 16) != 0 || pipe(stop_pipe_) != 0) {
    throw std::runtime_error(std::string(name) + ": cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

LoopbackServer::~LoopbackServer() {
  stop();
  close(listen_fd_);
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

void LoopbackServer::start(std::function<void(int)> handle) {
  handle_ = std::move(handle);
  thread_ = std::thread([this] { serve(); });
}

void LoopbackServer::stop() {
  if (!thread_.joinable()) return;
  (void)!write(stop_pipe_[1], "x", 1);
  thread_.join();
}

void LoopbackServer::serve() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    int connection = accept(listen_fd_, nullptr, nullptr);
    if (connection < 0) continue;
    timeval timeout{10, 0};
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    handle_(connection);
    close(connection);
  }
}

}  // namespace kubedbt::testing
