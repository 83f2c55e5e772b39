// Tests of TLS material loading: good PEM is accepted, each kind of bad PEM is named.
#include "kube/tls_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/client.h"
#include "test_pki.h"

namespace kubedbt::kube {
namespace {

using ::testing::HasSubstr;
using testing::self_signed;

void expect_tls_error(const Config& config, const std::string& fragment) {
  try {
    validate_tls(config);
    ADD_FAILURE() << "no error for " << fragment;
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(fragment));
  }
}

TEST(TlsContextTest, AcceptsCaAndMatchingClientCertificate) {
  auto ca = self_signed("test-ca");
  auto client = self_signed("alice");
  Config config;
  config.ca_pem = ca.cert_pem;
  config.client_cert_pem = client.cert_pem;
  config.client_key_pem = client.key_pem;
  EXPECT_NO_THROW(validate_tls(config));
  EXPECT_NO_THROW(validate_tls(Config{}));  // system roots, no client certificate
}

TEST(TlsContextTest, CaBundleWithSeveralCertificates) {
  Config config;
  config.ca_pem = self_signed("a").cert_pem + self_signed("b").cert_pem;
  EXPECT_NO_THROW(validate_tls(config));
}

TEST(TlsContextTest, BadCaIsNamed) {
  Config config;
  config.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
  expect_tls_error(config, "CA certificate");
}

TEST(TlsContextTest, BadClientCertificateIsNamed) {
  auto client = self_signed("alice");
  Config config;
  config.client_cert_pem = "garbage";
  config.client_key_pem = client.key_pem;
  expect_tls_error(config, "client certificate");
}

TEST(TlsContextTest, BadKeyIsNamed) {
  auto client = self_signed("alice");
  Config config;
  config.client_cert_pem = client.cert_pem;
  config.client_key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  expect_tls_error(config, "client key");
}

TEST(TlsContextTest, KeyOfAnotherCertificateIsRefused) {
  Config config;
  config.client_cert_pem = self_signed("alice").cert_pem;
  config.client_key_pem = self_signed("bob").key_pem;
  expect_tls_error(config, "client key: unusable PEM: key values mismatch");
}

TEST(MakeClientTest, RefusesUnusableTlsMaterialUpFront) {
  Config config;
  config.server = "https://127.0.0.1:1";
  config.client_cert_pem = "garbage";
  config.client_key_pem = "garbage";
  EXPECT_THROW(make_client(config), std::runtime_error);
  EXPECT_THROW(make_client(Config{}), std::invalid_argument);
}

}  // namespace
}  // namespace kubedbt::kube
