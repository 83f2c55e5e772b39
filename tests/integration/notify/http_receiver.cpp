// The loopback HTTP receiver: blocking sockets, one thread, Connection: close.
#include "tests/integration/notify/http_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace kubedbt::testing {

HttpReceiver::HttpReceiver(std::vector<ScriptedResponse> script) : script_(std::move(script)) {
  server_.start([this](int connection) { handle(connection); });
}

HttpReceiver::~HttpReceiver() { server_.stop(); }

std::string HttpReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
}

std::vector<RecordedRequest> HttpReceiver::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void HttpReceiver::handle(int connection) {
  std::string data;
  char buffer[4096];
  size_t header_end = std::string::npos;
  while (header_end == std::string::npos) {
    ssize_t n = read(connection, buffer, sizeof buffer);
    if (n <= 0) return;
    data.append(buffer, static_cast<size_t>(n));
    header_end = data.find("\r\n\r\n");
  }
  RecordedRequest request;
  std::string head = data.substr(0, header_end);
  size_t line_end = head.find("\r\n");
  std::string request_line = head.substr(0, line_end);
  request.method = request_line.substr(0, request_line.find(' '));
  size_t path_start = request_line.find(' ') + 1;
  request.path = request_line.substr(path_start, request_line.find(' ', path_start) - path_start);
  for (size_t pos = line_end + 2; pos < head.size() && line_end != std::string::npos;) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      request.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    pos = end + 2;
  }
  size_t length =
      request.headers.count("content-length") ? std::stoul(request.headers["content-length"]) : 0;
  request.body = data.substr(header_end + 4);
  while (request.body.size() < length) {
    ssize_t n = read(connection, buffer, sizeof buffer);
    if (n <= 0) return;
    request.body.append(buffer, static_cast<size_t>(n));
  }
  ScriptedResponse response;
  {
    std::lock_guard lock(mu_);
    if (requests_.size() < script_.size()) response = script_[requests_.size()];
    requests_.push_back(std::move(request));
  }
  std::string reply = "HTTP/1.1 " + std::to_string(response.status) + " Scripted\r\n";
  for (const auto& h : response.headers) reply += h + "\r\n";
  reply += "Content-Length: 2\r\nConnection: close\r\n\r\nok";
  (void)!write(connection, reply.data(), reply.size());
}

}  // namespace kubedbt::testing
