// ObjectSource and TokenSource on the real API server.
#include "tests/cluster/node-agent/api_object_source.h"

#include <ctime>
#include <iomanip>
#include <sstream>

#include "kube/errors.h"

namespace kubedbt::node_agent {
namespace {

std::optional<Json> get_or_nullopt(kube::Client& client, const kube::Resource& resource,
                                   const std::string& ns, const std::string& name) {
  try {
    return client.get(resource, ns, name);
  } catch (const kube::NotFound&) {
    return std::nullopt;
  }
}

// "2024-05-01T12:00:00Z" -> time point; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_time(const std::string& text) {
  std::tm utc{};
  std::istringstream in(text);
  in >> std::get_time(&utc, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

}  // namespace

std::optional<Json> ApiObjectSource::config_map(const std::string& ns, const std::string& name) {
  return get_or_nullopt(client_, kube::resources::kConfigMaps, ns, name);
}

std::optional<Json> ApiObjectSource::secret(const std::string& ns, const std::string& name) {
  return get_or_nullopt(client_, kube::resources::kSecrets, ns, name);
}

IssuedToken ApiObjectSource::request_token(const TokenRequestSpec& spec) {
  Json request_spec = {
      {"expirationSeconds", spec.expiration_seconds},
      {"boundObjectRef",
       {{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", spec.pod_name}, {"uid", spec.pod_uid}}}};
  if (!spec.audience.empty()) request_spec["audiences"] = Json::array({spec.audience});
  const Json body = {
      {"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", request_spec}};
  const auto now = std::chrono::system_clock::now();
  const Json answer = client_.create(kube::resources::kServiceAccounts, spec.ns, body, "token",
                                     spec.service_account);
  const Json status = answer.value("status", Json::object());
  IssuedToken issued;
  issued.token = status.value("token", "");
  issued.expires_at = now + std::chrono::seconds(spec.expiration_seconds);
  if (auto expires = parse_time(status.value("expirationTimestamp", ""))) {
    issued.expires_at = *expires;
  }
  return issued;
}

}  // namespace kubedbt::node_agent
