// A TCP listener on 127.0.0.1 that hands each accepted connection to a handler on one thread;
// the test receivers (HTTP, SMTP) are built on it.
#pragma once

#include <functional>
#include <thread>

namespace kubedbt::testing {

class LoopbackServer {
 public:
  // Listens on an ephemeral port; `name` goes into errors. Call start() once the owner is ready.
  explicit LoopbackServer(const char* name);
  ~LoopbackServer();  // stops serving and closes the socket
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Serves connections one at a time (10 s read timeout each); the handler must not close them.
  void start(std::function<void(int connection)> handle);
  // Stops serving; the owner calls it before its own members go away.
  void stop();
  int port() const { return port_; }

 private:
  void serve();

  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::function<void(int)> handle_;
  std::thread thread_;
};

}  // namespace kubedbt::testing
