// A small SMTP server on 127.0.0.1 for notification tests: STARTTLS or implicit TLS with a
// self-signed certificate made by openssl for the test, AUTH PLAIN, and a record of each message.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "tests/integration/notify/loopback_server.h"

namespace kubedbt::testing {

struct SmtpReceiverOptions {
  enum class Tls { StartTls, Implicit };
  Tls tls = Tls::StartTls;
  bool offer_starttls = true;  // false: a server that never offers STARTTLS
  std::string username;        // AUTH PLAIN is required when set
  std::string password;
  int transient_failures = 0;  // answer MAIL FROM with 451 this many times first
};

struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string data;       // the document, dot-unstuffed, CRLF kept
  bool over_tls = false;  // the transaction ran inside TLS
  std::string auth_user;  // who authenticated ("" = nobody)
};

class SmtpReceiver {
 public:
  // Generates a key and certificate for 127.0.0.1 in `dir` with the openssl command.
  SmtpReceiver(SmtpReceiverOptions options, const std::filesystem::path& dir);
  ~SmtpReceiver();
  SmtpReceiver(const SmtpReceiver&) = delete;
  SmtpReceiver& operator=(const SmtpReceiver&) = delete;

  int port() const { return server_.port(); }
  std::filesystem::path certificate() const { return dir_ / "cert.pem"; }  // the CA to trust
  std::vector<ReceivedMail> mails() const;
  int failed_logins() const;
  int connections() const;

 private:
  struct Session;
  void converse(int connection);

  SmtpReceiverOptions options_;
  std::filesystem::path dir_;
  void* ssl_context_ = nullptr;  // SSL_CTX*, freed in the destructor
  mutable std::mutex mu_;
  std::vector<ReceivedMail> mails_;
  int failed_logins_ = 0;
  int connections_ = 0;
  int transient_failures_left_ = 0;
  LoopbackServer server_{"SmtpReceiver"};  // last: stops before the members above go away
};

}  // namespace kubedbt::testing
