// HTTP endpoint on Boost.Beast over Boost.Asio: accept, read and write are asynchronous on two
// I/O threads, so a slow client holds a socket and a timer, never a thread the probes need.
#include "operator/runtime/http_endpoint.h"

#include <pthread.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "common/log.h"

namespace kubedbt::op {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Routes = std::map<std::string, HttpEndpoint::Handler>;

constexpr int kIoThreads = 2;
// A GET carries no body; one larger than this is refused with 413.
constexpr std::uint64_t kBodyLimit = 4096;
// How long to wait before accepting again after accept failed (e.g. out of file descriptors).
constexpr std::chrono::milliseconds kAcceptRetry{100};

HttpResponse plain(int code, std::string body) {
  return {code, "text/plain; charset=utf-8", std::move(body)};
}

// The answer to one parsed request: 405 for any method but GET, 404 for a path with no route.
HttpResponse route(const Routes& routes, const http::request<http::string_body>& request) {
  if (request.method() != http::verb::get) return plain(405, "method not allowed\n");
  std::string_view target(request.target().data(), request.target().size());
  std::string path(target.substr(0, target.find('?')));
  auto found = routes.find(path);
  if (found == routes.end()) return plain(404, "not found\n");
  try {
    return found->second();
  } catch (const std::exception& e) {
    log::error("health endpoint: handler failed", {{"path", path}, {"error", e.what()}});
    return plain(500, "internal error\n");
  }
}

// One connection: read one request, write one response, close; all within kConnectionDeadline,
// after which Beast closes the socket and the pending read or write ends with a timeout.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Routes& routes) : stream_(std::move(socket)), routes_(routes) {
    beast::error_code ignored;
    auto peer = stream_.socket().remote_endpoint(ignored);
    peer_ = peer.address().to_string() + ":" + std::to_string(peer.port());
    parser_.header_limit(static_cast<std::uint32_t>(HttpEndpoint::kHeaderLimit));
    parser_.body_limit(kBodyLimit);
  }

  void start() {
    stream_.expires_after(HttpEndpoint::kConnectionDeadline);
    http::async_read(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::header_limit) return reply(plain(431, "request headers too large\n"));
    if (ec == http::error::body_limit) return reply(plain(413, "request body too large\n"));
    if (ec) return log_dropped(ec);
    reply(route(routes_, parser_.get()));
  }

  void reply(HttpResponse answer) {
    response_.result(static_cast<unsigned>(answer.code));
    response_.version(11);
    response_.keep_alive(false);
    response_.set(http::field::content_type, answer.content_type);
    if (answer.code == 405) response_.set(http::field::allow, "GET");
    response_.body() = std::move(answer.body);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->log_dropped(ec);
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                      });
  }

  // A connection that ended without a full exchange: timed out, reset, or sent a bad request.
  void log_dropped(beast::error_code ec) {
    log::debug("health endpoint: connection closed", {{"peer", peer_}, {"reason", ec.message()}});
  }

  beast::tcp_stream stream_;
  const Routes& routes_;
  std::string peer_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

// The I/O context, its listening socket and its threads; sessions own themselves.
struct HttpEndpoint::Server {
  explicit Server(Routes r) : routes(std::move(r)) {}

  // Accepts one connection on its own strand, starts its session, and accepts again.
  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        std::make_shared<Session>(std::move(socket), routes)->start();
        return accept();
      }
      log::warn("health endpoint: accept failed", {{"error", ec.message()}});
      retry.expires_after(kAcceptRetry);
      retry.async_wait([this](beast::error_code wait) {
        if (!wait) accept();
      });
    });
  }

  Routes routes;
  asio::io_context io{kIoThreads};
  tcp::acceptor acceptor{io};
  asio::steady_timer retry{io};
  std::vector<std::thread> threads;
};

HttpEndpoint::HttpEndpoint(const std::string& address, int port,
                           std::map<std::string, Handler> routes)
    : server_(std::make_unique<Server>(std::move(routes))) {
  beast::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("health endpoint: \"" + address + "\" is not an IP address");
  if (port < 0 || port > 65535) {
    throw std::runtime_error("health endpoint: port " + std::to_string(port) +
                             " is not in 0..65535");
  }
  tcp::endpoint where(ip, static_cast<unsigned short>(port));
  auto& acceptor = server_->acceptor;
  acceptor.open(where.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(where, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("health endpoint: cannot listen on " + address + ":" +
                             std::to_string(port) + ": " + ec.message());
  }
  port_ = acceptor.local_endpoint().port();
  server_->accept();
  for (int i = 0; i < kIoThreads; ++i) {
    server_->threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "kubedbt-http");
      server_->io.run();
    });
  }
}

HttpEndpoint::~HttpEndpoint() {
  server_->io.stop();
  for (auto& thread : server_->threads) thread.join();
}

}  // namespace kubedbt::op
