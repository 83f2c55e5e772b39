// Tests of the client's transport failures on loopback sockets: a refused connection is a
// TransportError, and a peer that never answers is cut off by request_timeout as Timeout.
#include "kube/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stop_token>
#include <thread>

#include "kube/errors.h"

namespace kubedbt::kube {
namespace {

using namespace std::chrono_literals;

// A listening loopback socket that accepts connections and never writes a byte.
class SilentPeer {
 public:
  SilentPeer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd_, 16) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentPeer() { close_listener(); }
  void close_listener() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

Config config_for(int port) {
  Config config;
  config.server = "https://127.0.0.1:" + std::to_string(port);
  config.request_timeout = 1s;
  return config;
}

TEST(ClientTransportTest, RefusedConnectionIsATransportError) {
  int port;
  {
    SilentPeer peer;
    port = peer.port();
  }  // closed: nothing listens on the port any more
  auto client = make_client(config_for(port));
  try {
    client->get(resources::kConfigMaps, "ns", "cm");
    FAIL() << "no error";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("GET /api/v1/namespaces/ns/configmaps/cm"),
              std::string::npos)
        << e.what();
  }
}

TEST(ClientTransportTest, SilentPeerIsCutOffByTheRequestTimeout) {
  SilentPeer peer;  // the kernel completes the TCP handshake; the TLS handshake never answers
  auto client = make_client(config_for(peer.port()));
  try {
    client->list(resources::kConfigMaps, "ns");
    FAIL() << "no error";
  } catch (const Timeout& e) {
    EXPECT_EQ(e.reason(), "Timeout");
    EXPECT_NE(std::string(e.what()).find("no answer within 1s"), std::string::npos) << e.what();
  }
}

TEST(ClientTransportTest, WatchOnASilentPeerEndsWhenStopped) {
  SilentPeer peer;
  auto client = make_client(config_for(peer.port()));
  std::stop_source stop;
  std::string returned = "unset";
  std::thread watcher([&] {
    WatchOptions opts;
    opts.resource_version = "42";
    returned = client->watch(
        resources::kConfigMaps, "ns", opts,
        [](const WatchEvent&) { return WatchControl::Continue; }, stop.get_token());
  });
  stop.request_stop();  // the watch idles for minutes unless cancellation works
  watcher.join();
  EXPECT_EQ(returned, "42");  // nothing seen: the version it started from
}

}  // namespace
}  // namespace kubedbt::kube
