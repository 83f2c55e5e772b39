// TLS material from PEM text for cpprestsdk's per-connection OpenSSL context.
#include "kube/tls_context.h"

#include <stdexcept>
#include <string>

namespace kubedbt::kube {

void configure_tls(boost::asio::ssl::context& context, const Config& config) {
  boost::system::error_code ec;
  if (!config.ca_pem.empty()) {
    context.add_certificate_authority(boost::asio::buffer(config.ca_pem), ec);
    if (ec) throw std::runtime_error("CA certificate: unusable PEM: " + ec.message());
  }
  if (!config.client_cert_pem.empty()) {
    context.use_certificate_chain(boost::asio::buffer(config.client_cert_pem), ec);
    if (ec) throw std::runtime_error("client certificate: unusable PEM: " + ec.message());
    context.use_private_key(boost::asio::buffer(config.client_key_pem),
                            boost::asio::ssl::context::pem, ec);
    // OpenSSL also refuses here a key that does not belong to the certificate.
    if (ec) throw std::runtime_error("client key: unusable PEM: " + ec.message());
  }
}

void validate_tls(const Config& config) {
  boost::asio::ssl::context context(boost::asio::ssl::context::tls_client);
  configure_tls(context, config);
}

}  // namespace kubedbt::kube
