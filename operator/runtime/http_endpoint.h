// A small HTTP/1.0 server for /healthz, /readyz and /metrics on one port (one thread, GET only).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>

namespace kubedbt::op {

struct HttpResponse {
  int code = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpEndpoint {
 public:
  using Handler = std::function<HttpResponse()>;

  // Binds `address`:`port` (port 0 picks one) at once; throws std::runtime_error when it cannot.
  HttpEndpoint(const std::string& address, int port, std::map<std::string, Handler> routes);
  ~HttpEndpoint();  // stops and joins
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const { return port_; }

 private:
  void serve();
  void answer(int fd);

  std::map<std::string, Handler> routes_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace kubedbt::op
