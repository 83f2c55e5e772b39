// Connection settings for the API server, from a kubeconfig file or from inside a pod.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace kubedbt::kube {

struct Config {
  std::string server;           // "https://127.0.0.1:6443"
  std::string ca_pem;           // CA bundle (PEM text); empty means the system store
  std::string client_cert_pem;  // client certificate (PEM text), if any
  std::string client_key_pem;   // its private key (PEM text)
  std::string token;            // static bearer token, if any
  std::string token_file;       // bearer token re-read from this file (service accounts)
  std::chrono::seconds token_reload_period{60};
  std::string default_namespace = "default";
  bool insecure_skip_tls_verify = false;
  std::chrono::seconds request_timeout{30};  // bound on every non-watch call
};

// Reads a kubeconfig; `context` empty means its current-context. Inline *-data fields and file
// paths (relative to the kubeconfig's folder) are both understood. Throws std::runtime_error naming
// the file and the missing or malformed entry.
Config load_kubeconfig(const std::string& path, const std::string& context = "");

// Parses kubeconfig YAML text; `base_dir` resolves relative file paths.
Config parse_kubeconfig(const std::string& yaml_text, const std::string& base_dir,
                        const std::string& context = "");

// In-cluster settings: KUBERNETES_SERVICE_HOST/PORT, the service-account token file (re-read
// periodically), its CA and namespace. `sa_dir` is overridable for tests.
Config in_cluster_config(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// The usual resolution order: an explicit path, else $KUBECONFIG, else in-cluster when
// KUBERNETES_SERVICE_HOST is set, else ~/.kube/config.
Config load_config(const std::optional<std::string>& kubeconfig_path = std::nullopt);

}  // namespace kubedbt::kube
