// Puts a Config's CA bundle and client certificate (PEM text in memory) into an OpenSSL context.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include "kube/config.h"

namespace kubedbt::kube {

// Adds the CA bundle (when set) to the trusted roots and loads the client certificate chain and
// key (when set). Throws std::runtime_error saying which PEM item is unusable.
void configure_tls(boost::asio::ssl::context& context, const Config& config);

// Checks configure_tls would succeed, so a bad certificate fails when the client is made rather
// than inside every connection attempt.
void validate_tls(const Config& config);

}  // namespace kubedbt::kube
