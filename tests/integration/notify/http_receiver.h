// A small HTTP/1.1 server on 127.0.0.1 for notification tests: records each request and answers
// from a script (e.g. 500 then 200), one connection at a time.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tests/integration/notify/loopback_server.h"

namespace kubedbt::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct ScriptedResponse {
  int status = 200;
  std::vector<std::string> headers;  // "Retry-After: 1"
};

class HttpReceiver {
 public:
  // Answers the n-th request with script[n], and 200 once the script has run out.
  explicit HttpReceiver(std::vector<ScriptedResponse> script = {});
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return server_.port(); }
  std::string url(const std::string& path = "/hook") const;
  std::vector<RecordedRequest> requests() const;

 private:
  void handle(int connection);

  std::vector<ScriptedResponse> script_;
  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;
  LoopbackServer server_{"HttpReceiver"};  // last: stops before the members above go away
};

}  // namespace kubedbt::testing
