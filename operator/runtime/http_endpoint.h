// The HTTP server for /healthz, /readyz and /metrics on one port: GET only, one request per
// connection, each connection closed at a deadline so no client can hold the probes down.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace kubedbt::op {

struct HttpResponse {
  int code = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpEndpoint {
 public:
  using Handler = std::function<HttpResponse()>;

  // A connection must send its request and take the whole response within this time.
  static constexpr std::chrono::seconds kConnectionDeadline{5};
  // Request line and headers above this size are refused with 431.
  static constexpr std::size_t kHeaderLimit = 8 * 1024;

  // Binds `address`:`port` (port 0 picks one) at once; throws std::runtime_error when it cannot.
  HttpEndpoint(const std::string& address, int port, std::map<std::string, Handler> routes);
  ~HttpEndpoint();  // stops and joins
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const { return port_; }

 private:
  struct Server;  // the Boost.Asio machinery, kept out of this header
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

}  // namespace kubedbt::op
