// SMTP settings from the environment and the e-mail document (the sending is tested on loopback).
#include "notify/smtp.h"

#include <gtest/gtest.h>

namespace kubedbt::notify {
namespace {

const std::string kPrefix = "KUBEDBT_NOTIFY_0_SMTP_";

Environment env_with(std::initializer_list<std::pair<const std::string, std::string>> extra) {
  Environment env = {{kPrefix + "HOST", "smtp.example.com"},
                     {kPrefix + "FROM", "alerts@example.com"}};
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

std::string error_of(const Environment& env) {
  try {
    SmtpSettings::from_environment(env, kPrefix);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(NotifySmtpSettings, DefaultsToStartTlsOnPort587) {
  auto s = SmtpSettings::from_environment(env_with({}), kPrefix);
  EXPECT_EQ(s.tls, SmtpSettings::Tls::StartTls);
  EXPECT_EQ(s.port, 587);
  EXPECT_TRUE(s.username.empty());
}

TEST(NotifySmtpSettings, TlsModesChooseTheirPortsAndPortOverrides) {
  EXPECT_EQ(SmtpSettings::from_environment(env_with({{kPrefix + "TLS", "tls"}}), kPrefix).port,
            465);
  auto none = SmtpSettings::from_environment(env_with({{kPrefix + "TLS", "none"}}), kPrefix);
  EXPECT_EQ(none.tls, SmtpSettings::Tls::None);
  EXPECT_EQ(none.port, 25);
  EXPECT_EQ(SmtpSettings::from_environment(env_with({{kPrefix + "PORT", "2525"}}), kPrefix).port,
            2525);
}

TEST(NotifySmtpSettings, ErrorsNameTheVariableAndNeverTheValue) {
  EXPECT_EQ(error_of({{kPrefix + "FROM", "a@b"}}),
            "environment variable KUBEDBT_NOTIFY_0_SMTP_HOST is not set (the SMTP server's host "
            "name; add HOST to its Secret)");
  EXPECT_NE(
      error_of(env_with({{kPrefix + "TLS", "ssl"}})).find("use starttls (default), tls or none"),
      std::string::npos);
  EXPECT_NE(error_of(env_with({{kPrefix + "PORT", "99999"}})).find("PORT must be a port number"),
            std::string::npos);
  auto missing_password = error_of(env_with({{kPrefix + "USERNAME", "bot"}}));
  EXPECT_NE(missing_password.find("KUBEDBT_NOTIFY_0_SMTP_PASSWORD is not set"), std::string::npos);
  auto clear = error_of(env_with({{kPrefix + "USERNAME", "bot"},
                                  {kPrefix + "PASSWORD", "hunter2-secret"},
                                  {kPrefix + "TLS", "none"}}));
  EXPECT_NE(clear.find("in clear"), std::string::npos) << clear;
  EXPECT_EQ(clear.find("hunter2-secret"), std::string::npos);
}

TEST(NotifyEmailDocument, HasTheHeadersAndACrlfBody) {
  Message m;
  m.title = "[kubedbt] shop/prod: run data/r1 failed (failure)";
  m.text = "line one\nline two\n";
  auto date = std::chrono::system_clock::from_time_t(1700000000);
  auto doc = email_document(m, "kubedbt <alerts@example.com>", {"a@example.com", "b@example.com"},
                            date, "<id@example.com>");
  EXPECT_EQ(doc,
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "From: kubedbt <alerts@example.com>\r\n"
            "To: a@example.com, b@example.com\r\n"
            "Subject: [kubedbt] shop/prod: run data/r1 failed (failure)\r\n"
            "Message-ID: <id@example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "\r\n"
            "line one\r\nline two\r\n");
}

TEST(NotifyEmailDocument, NoValueCanAddAHeaderAndNonAsciiSubjectsAreEncoded) {
  Message m;
  m.title = "run\r\nBcc: evil@example.com";
  auto doc = email_document(m, "a@b", {"c@d"}, std::chrono::system_clock::now(), "<x@b>");
  EXPECT_EQ(doc.find("\r\nBcc:"), std::string::npos) << doc;
  m.title = "Läuft";
  doc = email_document(m, "a@b", {"c@d"}, std::chrono::system_clock::now(), "<x@b>");
  EXPECT_NE(doc.find("Subject: =?UTF-8?B?TMOkdWZ0?=\r\n"), std::string::npos) << doc;
}

TEST(NotifyEmailDocument, MessageIdsAreUniqueInTheSendersDomain) {
  auto a = new_message_id("kubedbt <alerts@example.com>");
  EXPECT_NE(a, new_message_id("alerts@example.com"));
  EXPECT_EQ(a.front(), '<');
  EXPECT_NE(a.find("@example.com>"), std::string::npos) << a;
  EXPECT_EQ(bare_address("kubedbt <alerts@example.com>"), "alerts@example.com");
  EXPECT_EQ(bare_address("alerts@example.com"), "alerts@example.com");
}

}  // namespace
}  // namespace kubedbt::notify
