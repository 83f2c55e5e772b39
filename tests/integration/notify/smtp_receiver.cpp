// The loopback SMTP receiver: one thread, one session at a time, OpenSSL for TLS.
#include "tests/integration/notify/smtp_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace kubedbt::testing {
namespace {

SSL_CTX* context(void* p) { return static_cast<SSL_CTX*>(p); }

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

std::string base64_decode(const std::string& text) {
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return "";
  size_t padding = std::count(text.begin(), text.end(), '=');
  out.resize(static_cast<size_t>(n) - std::min(padding, static_cast<size_t>(n)));
  return out;
}

// "<a@b>" from "MAIL FROM:<a@b> SIZE=10".
std::string angle_address(const std::string& line) {
  auto open = line.find('<');
  auto close = line.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return line.substr(open + 1, close - open - 1);
}

}  // namespace

// One connection: plain or TLS reads and writes, line by line.
struct SmtpReceiver::Session {
  int fd = -1;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl{nullptr, SSL_free};
  std::string buffer;

  bool start_tls(SSL_CTX* ctx) {
    buffer.clear();
    ssl.reset(SSL_new(ctx));
    SSL_set_fd(ssl.get(), fd);
    return SSL_accept(ssl.get()) == 1;
  }
  void send(const std::string& text) {
    if (ssl) {
      SSL_write(ssl.get(), text.data(), static_cast<int>(text.size()));
    } else {
      (void)!write(fd, text.data(), text.size());
    }
  }
  // The next line without CRLF; false when the peer went away.
  bool line(std::string& out) {
    while (true) {
      auto end = buffer.find("\r\n");
      if (end != std::string::npos) {
        out = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        return true;
      }
      char chunk[4096];
      int n = ssl ? SSL_read(ssl.get(), chunk, sizeof chunk)
                  : static_cast<int>(read(fd, chunk, sizeof chunk));
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
  }
};

SmtpReceiver::SmtpReceiver(SmtpReceiverOptions options, const std::filesystem::path& dir)
    : options_(std::move(options)),
      dir_(dir),
      transient_failures_left_(options_.transient_failures) {
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
      (dir_ / "key.pem").string() + "' -out '" + (dir_ / "cert.pem").string() + "' 2>/dev/null";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("SmtpReceiver: openssl could not make a test certificate");
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ssl_context_ = ctx;
  if (SSL_CTX_use_certificate_file(ctx, certificate().c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, (dir_ / "key.pem").c_str(), SSL_FILETYPE_PEM) != 1) {
    throw std::runtime_error("SmtpReceiver: cannot load the test certificate");
  }
  server_.start([this](int connection) {
    {
      std::lock_guard lock(mu_);
      ++connections_;
    }
    converse(connection);
  });
}

SmtpReceiver::~SmtpReceiver() {
  server_.stop();
  SSL_CTX_free(context(ssl_context_));
}

std::vector<ReceivedMail> SmtpReceiver::mails() const {
  std::lock_guard lock(mu_);
  return mails_;
}

int SmtpReceiver::failed_logins() const {
  std::lock_guard lock(mu_);
  return failed_logins_;
}

int SmtpReceiver::connections() const {
  std::lock_guard lock(mu_);
  return connections_;
}

void SmtpReceiver::converse(int connection) {
  Session s;
  s.fd = connection;
  bool implicit = options_.tls == SmtpReceiverOptions::Tls::Implicit;
  if (implicit && !s.start_tls(context(ssl_context_))) return;
  bool need_auth = !options_.username.empty();
  std::string user;
  ReceivedMail mail;
  s.send("220 127.0.0.1 kubedbt test SMTP\r\n");
  std::string line;
  while (s.line(line)) {
    std::string verb = upper(line.substr(0, line.find(' ')));
    bool tls = s.ssl != nullptr;
    if (verb == "EHLO" || verb == "HELO") {
      std::string reply = "250-127.0.0.1\r\n";
      if (!tls && options_.offer_starttls) reply += "250-STARTTLS\r\n";
      if (tls && need_auth) reply += "250-AUTH PLAIN\r\n";
      s.send(reply + "250 8BITMIME\r\n");
    } else if (verb == "STARTTLS" && !tls && options_.offer_starttls) {
      s.send("220 2.0.0 ready for TLS\r\n");
      if (!s.start_tls(context(ssl_context_))) return;
    } else if (verb == "AUTH" && tls && need_auth) {
      std::string rest = line.size() > 11 ? line.substr(11) : "";  // after "AUTH PLAIN "
      if (upper(line.substr(5, 5)) != "PLAIN") {
        s.send("504 5.5.4 only PLAIN\r\n");
        continue;
      }
      if (rest.empty()) {
        s.send("334 \r\n");
        if (!s.line(rest)) return;
      }
      std::string decoded = base64_decode(rest);  // authzid \0 user \0 password
      auto first = decoded.find('\0');
      auto second = decoded.find('\0', first + 1);
      bool ok = first != std::string::npos && second != std::string::npos &&
                decoded.substr(first + 1, second - first - 1) == options_.username &&
                decoded.substr(second + 1) == options_.password;
      if (ok) {
        user = options_.username;
        s.send("235 2.7.0 authenticated\r\n");
      } else {
        std::lock_guard lock(mu_);
        ++failed_logins_;
        s.send("535 5.7.8 authentication failed\r\n");
      }
    } else if (verb == "MAIL") {
      if (need_auth && user.empty()) {
        s.send("530 5.7.0 authentication required\r\n");
        continue;
      }
      {
        std::lock_guard lock(mu_);
        if (transient_failures_left_ > 0) {
          --transient_failures_left_;
          s.send("451 4.3.0 try again later\r\n");
          continue;
        }
      }
      mail = ReceivedMail{};
      mail.mail_from = angle_address(line);
      s.send("250 2.1.0 ok\r\n");
    } else if (verb == "RCPT") {
      mail.recipients.push_back(angle_address(line));
      s.send("250 2.1.5 ok\r\n");
    } else if (verb == "DATA") {
      s.send("354 end with .\r\n");
      std::string data_line;
      while (s.line(data_line) && data_line != ".") {
        if (data_line.rfind("..", 0) == 0) data_line.erase(0, 1);
        mail.data += data_line + "\r\n";
      }
      mail.over_tls = tls;
      mail.auth_user = user;
      {
        std::lock_guard lock(mu_);
        mails_.push_back(mail);
      }
      s.send("250 2.0.0 queued\r\n");
    } else if (verb == "RSET" || verb == "NOOP") {
      s.send("250 2.0.0 ok\r\n");
    } else if (verb == "QUIT") {
      s.send("221 2.0.0 bye\r\n");
      return;
    } else {
      s.send("502 5.5.2 not implemented\r\n");
    }
  }
}

}  // namespace kubedbt::testing
