// E-mail over SMTP with libcurl: the settings from <prefix>* variables, the message document, and
// one delivery attempt (STARTTLS by default, implicit TLS, or none; AUTH when a username is set).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "notify/environment.h"
#include "notify/message.h"
#include "notify/retry_policy.h"

namespace kubedbt::notify {

struct SmtpSettings {
  enum class Tls { StartTls, Implicit, None };
  std::string host;
  int port = 587;
  std::string username;  // empty: no AUTH
  std::string password;  // a secret
  std::string from;      // "alerts@example.com" or "kubedbt <alerts@example.com>"
  Tls tls = Tls::StartTls;
  std::string ca_file;  // a CA bundle to verify the server with instead of the system's

  // From <prefix>HOST, PORT (default 587 starttls, 465 tls, 25 none), USERNAME, PASSWORD, FROM,
  // TLS (starttls | tls | none) and CA_FILE. Throws ConfigError naming the variable; refuses a
  // USERNAME without TLS, which would send the password in clear.
  static SmtpSettings from_environment(const Environment& env, const std::string& prefix);
};

// The RFC 5322 document: Date, From, To, Subject (RFC 2047 when not ASCII), Message-ID,
// MIME-Version, Content-Type text/plain UTF-8, then the body; lines end in CRLF. Header values
// lose any CR or LF, so no name in a run can add a header.
std::string email_document(const Message& message, const std::string& from,
                           const std::vector<std::string>& to,
                           std::chrono::system_clock::time_point date,
                           const std::string& message_id);

// "<random.hex@domain-of-from>".
std::string new_message_id(const std::string& from);

// The address inside "Name <address>", or the text itself.
std::string bare_address(const std::string& mailbox);

// One SMTP transaction. Retryable: the server was not reached, the connection broke, or it
// answered 4xx; permanent: 5xx (auth refused included), no STARTTLS offered, a certificate that
// does not verify.
AttemptResult send_email_once(const SmtpSettings& settings, const std::vector<std::string>& to,
                              const std::string& document, Millis timeout);

}  // namespace kubedbt::notify
