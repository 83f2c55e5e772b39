// HttpEndpoint: routes and refusals, and that clients which trickle, stay silent or never read
// cannot delay a /healthz answer and are closed at the connection deadline.
#include "operator/runtime/http_endpoint.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kubedbt::op {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// What a client got before the connection ended or its wait ran out.
struct Received {
  std::string data;
  bool closed = false;  // the server closed (or reset) the connection within the wait

  std::string status() const { return data.size() >= 12 ? data.substr(9, 3) : ""; }
  std::string body() const {
    auto end = data.find("\r\n\r\n");
    return end == std::string::npos ? "" : data.substr(end + 4);
  }
};

int remaining_ms(Clock::time_point until) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// A raw TCP client that can misbehave on purpose: send part of a request, or never read.
class Client {
 public:
  // Connects to 127.0.0.1:`port` within `limit`; a small `receive_buffer` makes a response that
  // is not read back up into the server quickly.
  explicit Client(int port, std::chrono::milliseconds limit = 2s, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto until = Clock::now() + limit;
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      pollfd p{fd_, POLLOUT, 0};
      int error = 0;
      socklen_t len = sizeof error;
      connected_ = ::poll(&p, 1, remaining_ms(until)) == 1 &&
                   ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
    } else {
      connected_ = true;
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  // Sends all of `data` unless the server has closed the connection.
  void send(std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads until the server closes the connection or `limit` passes.
  Received read_until_closed(std::chrono::milliseconds limit) {
    Received received;
    auto until = Clock::now() + limit;
    char buffer[65536];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, remaining_ms(until)) != 1) return received;
      auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        received.closed = true;
        return received;
      }
      received.data.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// Sends `request` on a fresh connection and reads the answer, all within `limit`.
Received exchange(int port, const std::string& request, std::chrono::milliseconds limit = 2s) {
  auto until = Clock::now() + limit;
  Client client(port, limit);
  if (!client.connected()) return {};
  client.send(request);
  return client.read_until_closed(std::chrono::milliseconds(remaining_ms(until)));
}

Received get(int port, const std::string& path, std::chrono::milliseconds limit = 2s) {
  return exchange(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n", limit);
}

// Sends one more byte of a request to each of its clients every second until destroyed: a client
// that is never idle long enough for a per-read timeout, yet never finishes its request.
class Trickler {
 public:
  explicit Trickler(std::vector<Client*> clients)
      : clients_(std::move(clients)), thread_([this](std::stop_token stop) { run(stop); }) {}

 private:
  void run(std::stop_token stop) {
    const std::string request = "GET /healthz HTTP/1.1\r\nX-Slow: ";
    std::mutex mutex;
    std::condition_variable_any wake;
    for (std::size_t i = 0; !stop.stop_requested(); ++i) {
      char byte = i < request.size() ? request[i] : 'a';
      for (auto* client : clients_) client->send(std::string_view(&byte, 1));
      std::unique_lock lock(mutex);
      wake.wait_for(lock, stop, 1s, [] { return false; });
    }
  }

  std::vector<Client*> clients_;
  std::jthread thread_;
};

const std::string& big_metrics() {
  static const std::string body(16 * 1024 * 1024, 'm');
  return body;
}

std::map<std::string, HttpEndpoint::Handler> routes() {
  return {{"/healthz",
           [] {
             return HttpResponse{200, "text/plain", "ok\n"};
           }},
          {"/readyz",
           [] {
             return HttpResponse{503, "text/plain", "caches not synced\n"};
           }},
          {"/metrics",
           [] {
             return HttpResponse{200, "text/plain", big_metrics()};
           }},
          {"/broken", []() -> HttpResponse { throw std::runtime_error("handler broke"); }}};
}

TEST(HttpEndpoint, AnswersRoutesWithTheirCodeTypeAndBody) {
  HttpEndpoint endpoint("127.0.0.1", 0, routes());
  ASSERT_GT(endpoint.port(), 0);

  auto healthz = get(endpoint.port(), "/healthz");
  ASSERT_TRUE(healthz.closed);
  EXPECT_EQ(healthz.status(), "200");
  EXPECT_EQ(healthz.body(), "ok\n");
  EXPECT_NE(healthz.data.find("Content-Type: text/plain\r\n"), std::string::npos) << healthz.data;

  auto readyz = get(endpoint.port(), "/readyz?verbose=1");
  EXPECT_EQ(readyz.status(), "503");
  EXPECT_EQ(readyz.body(), "caches not synced\n");

  auto old_client = exchange(endpoint.port(), "GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old_client.status(), "200");
}

TEST(HttpEndpoint, UnknownPathIs404) {
  HttpEndpoint endpoint("127.0.0.1", 0, routes());
  auto answer = get(endpoint.port(), "/nothing-here");
  ASSERT_TRUE(answer.closed);
  EXPECT_EQ(answer.status(), "404");
}

TEST(HttpEndpoint, OtherMethodsThanGetAre405) {
  HttpEndpoint endpoint("127.0.0.1", 0, routes());
  for (std::string method : {"POST", "PUT", "DELETE"}) {
    auto answer = exchange(endpoint.port(), method +
                                                " /healthz HTTP/1.1\r\nHost: localhost\r\n"
                                                "Content-Length: 2\r\n\r\n{}");
    ASSERT_TRUE(answer.closed) << method;
    EXPECT_EQ(answer.status(), "405") << method;
    EXPECT_NE(answer.data.find("Allow: GET\r\n"), std::string::npos) << answer.data;
  }
}

TEST(HttpEndpoint, HandlerThatThrowsIs500AndTheEndpointKeepsServing) {
  HttpEndpoint endpoint("127.0.0.1", 0, routes());
  EXPECT_EQ(get(endpoint.port(), "/broken").status(), "500");
  EXPECT_EQ(get(endpoint.port(), "/healthz").status(), "200");
}

TEST(HttpEndpoint, OversizeHeadersAreRefused) {
  HttpEndpoint endpoint("127.0.0.1", 0, routes());
  std::string padding(8 * HttpEndpoint::kHeaderLimit, 'a');
  auto answer =
      exchange(endpoint.port(),
               "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + padding + "\r\n\r\n");
  ASSERT_TRUE(answer.closed);
  // Either the 431 arrives or the reset for the unread rest of the headers overtakes it.
  EXPECT_TRUE(answer.data.empty() || answer.status() == "431") << answer.data.substr(0, 80);
}

TEST(HttpEndpoint, RequestBodyOverTheLimitIs413) {
  HttpEndpoint endpoint("127.0.0.1", 0, routes());
  std::string body(64 * 1024, 'b');
  auto answer =
      exchange(endpoint.port(), "GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(answer.closed);
  EXPECT_EQ(answer.status(), "413") << answer.data.substr(0, 80);
}

TEST(HttpEndpoint, BadAddressOrBusyPortThrows) {
  EXPECT_THROW(HttpEndpoint("not-an-address", 0, routes()), std::runtime_error);
  HttpEndpoint first("127.0.0.1", 0, routes());
  EXPECT_THROW(HttpEndpoint("127.0.0.1", first.port(), routes()), std::runtime_error);
}

// Twenty bad clients (silent, trickling, not reading a 16 MiB /metrics) hold connections; the
// probes are still answered within 2 s each (the old one-thread server never answered).
TEST(HttpEndpoint, HealthzAnsweredPromptlyWhileSlowClientsHoldConnections) {
  HttpEndpoint endpoint("127.0.0.1", 0, routes());
  std::vector<std::unique_ptr<Client>> silent, trickling, not_reading;
  for (int i = 0; i < 7; ++i) silent.push_back(std::make_unique<Client>(endpoint.port()));
  for (int i = 0; i < 7; ++i) trickling.push_back(std::make_unique<Client>(endpoint.port()));
  for (int i = 0; i < 6; ++i) {
    not_reading.push_back(std::make_unique<Client>(endpoint.port(), 2s, 4096));
    not_reading.back()->send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  }
  std::vector<Client*> tricklers;
  for (auto& client : trickling) tricklers.push_back(client.get());
  Trickler trickler(tricklers);
  std::this_thread::sleep_for(500ms);  // let the server take every bad connection first

  for (int probe = 0; probe < 3; ++probe) {
    auto healthz = get(endpoint.port(), "/healthz", 2s);
    ASSERT_TRUE(healthz.closed) << "probe " << probe << " not answered within 2 s";
    EXPECT_EQ(healthz.status(), "200");
    EXPECT_EQ(healthz.body(), "ok\n");
  }
  auto readyz = get(endpoint.port(), "/readyz", 2s);
  ASSERT_TRUE(readyz.closed) << "readyz not answered within 2 s";
  EXPECT_EQ(readyz.status(), "503");
}

// A silent client, a trickling one and one that never reads are each closed at the connection
// deadline (not before: the deadline is what they get), so none holds its socket for long.
TEST(HttpEndpoint, SlowClientsAreClosedAtTheDeadline) {
  HttpEndpoint endpoint("127.0.0.1", 0, routes());
  auto start = Clock::now();
  Client silent(endpoint.port());
  Client trickling(endpoint.port());
  Client not_reading(endpoint.port(), 2s, 4096);
  not_reading.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  Trickler trickler({&trickling});
  const auto deadline = HttpEndpoint::kConnectionDeadline;
  const auto wait = deadline + 4s;

  auto silent_end = silent.read_until_closed(wait);
  EXPECT_TRUE(silent_end.closed) << "a silent client was not closed within the deadline + 4 s";
  EXPECT_TRUE(silent_end.data.empty());
  EXPECT_GE(Clock::now() - start, deadline - 1s) << "closed long before the deadline";

  auto trickling_end = trickling.read_until_closed(wait);
  EXPECT_TRUE(trickling_end.closed) << "a trickling client outlived the deadline + 4 s";
  EXPECT_TRUE(trickling_end.data.empty());

  // Read only once the deadline has passed: the rest of the 16 MiB must never come.
  std::this_thread::sleep_until(start + deadline + 1s);
  auto not_reading_end = not_reading.read_until_closed(4s);
  EXPECT_TRUE(not_reading_end.closed) << "a client that did not read was not closed";
  EXPECT_LT(not_reading_end.data.size(), big_metrics().size());
}

// Stopping does not wait for slow clients: the destructor returns at once and closes them.
TEST(HttpEndpoint, StopsPromptlyWhileSlowClientsHoldConnections) {
  auto endpoint = std::make_unique<HttpEndpoint>("127.0.0.1", 0, routes());
  std::vector<std::unique_ptr<Client>> silent;
  for (int i = 0; i < 3; ++i) silent.push_back(std::make_unique<Client>(endpoint->port()));
  Client not_reading(endpoint->port(), 2s, 4096);
  not_reading.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::this_thread::sleep_for(300ms);  // let the server take the connections

  auto start = Clock::now();
  endpoint.reset();
  EXPECT_LT(Clock::now() - start, 1s) << "the destructor waited for slow clients";
  for (auto& client : silent) EXPECT_TRUE(client->read_until_closed(2s).closed);
  EXPECT_TRUE(not_reading.read_until_closed(2s).closed);
}

}  // namespace
}  // namespace kubedbt::op
