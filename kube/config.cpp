// Loads connection settings from a kubeconfig file or from a pod's service-account mount.
#include "kube/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kube/base64.h"
#include "kube/bearer_token.h"

namespace kubedbt::kube {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Parsing state of one kubeconfig: where it came from, for error messages and relative paths.
class KubeconfigReader {
 public:
  KubeconfigReader(std::string source, std::string base_dir)
      : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  Config read(const std::string& yaml_text, const std::string& chosen_context) const {
    YAML::Node root;
    try {
      root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
      fail("is not valid YAML: " + std::string(e.what()));
    }
    if (!root.IsMap()) fail("is not a YAML mapping");

    std::string context_name = chosen_context;
    if (context_name.empty()) context_name = scalar(root, "current-context");
    if (context_name.empty()) fail("has no current-context and no context was chosen");

    YAML::Node context = named_entry(root, "contexts", "context", context_name);
    const std::string where_context = "context \"" + context_name + "\"";
    std::string cluster_name = scalar(context, "cluster");
    if (cluster_name.empty()) fail(where_context + ": has no cluster");
    std::string user_name = scalar(context, "user");

    Config config;
    config.default_namespace = scalar(context, "namespace");
    if (config.default_namespace.empty()) config.default_namespace = "default";

    read_cluster(named_entry(root, "clusters", "cluster", cluster_name), cluster_name, config);
    if (!user_name.empty()) {
      read_user(named_entry(root, "users", "user", user_name), user_name, config);
    }
    return config;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(source_ + ": " + what);
  }

  static std::string scalar(const YAML::Node& map, const char* key) {
    YAML::Node value = map[key];
    return value && value.IsScalar() ? value.as<std::string>() : std::string();
  }

  // The inner mapping of `<list>[name == wanted].<inner>` (e.g. contexts[].context).
  YAML::Node named_entry(const YAML::Node& root, const char* list, const char* inner,
                         const std::string& wanted) const {
    YAML::Node entries = root[list];
    if (entries && entries.IsSequence()) {
      for (const auto& entry : entries) {
        if (entry.IsMap() && scalar(entry, "name") == wanted) {
          YAML::Node body = entry[inner];
          if (!body || !body.IsMap()) {
            fail(std::string(list) + " entry \"" + wanted + "\" has no " + inner + " mapping");
          }
          return body;
        }
      }
    }
    fail(std::string(inner) + " \"" + wanted + "\" not found in " + list);
  }

  std::string resolve(const std::string& path) const {
    if (path.empty() || fs::path(path).is_absolute() || base_dir_.empty()) return path;
    return (fs::path(base_dir_) / path).string();
  }

  // PEM text from `<key>-data` (base64) or from the file named by `<key>`; "" when neither is set.
  std::string pem(const YAML::Node& map, const std::string& key, const std::string& where) const {
    std::string inline_data = scalar(map, (key + "-data").c_str());
    std::string text;
    if (!inline_data.empty()) {
      try {
        text = base64_decode(inline_data);
      } catch (const std::exception& e) {
        fail(where + ": " + key + "-data: " + e.what());
      }
      if (text.find("-----BEGIN ") == std::string::npos) {
        fail(where + ": " + key + "-data: does not hold PEM data");
      }
      return text;
    }
    std::string path = scalar(map, key.c_str());
    if (path.empty()) return "";
    try {
      text = read_file(resolve(path));
    } catch (const std::exception& e) {
      fail(where + ": " + key + ": " + e.what());
    }
    if (text.find("-----BEGIN ") == std::string::npos) {
      fail(where + ": " + key + ": " + resolve(path) + " does not hold PEM data");
    }
    return text;
  }

  void read_cluster(const YAML::Node& cluster, const std::string& name, Config& config) const {
    const std::string where = "cluster \"" + name + "\"";
    config.server = scalar(cluster, "server");
    if (config.server.empty()) fail(where + ": has no server");
    if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
      fail(where + ": server \"" + config.server + "\" is not an http(s) URL");
    }
    while (config.server.size() > 1 && config.server.back() == '/') config.server.pop_back();
    config.ca_pem = pem(cluster, "certificate-authority", where);
    if (YAML::Node skip = cluster["insecure-skip-tls-verify"]; skip && skip.IsScalar()) {
      try {
        config.insecure_skip_tls_verify = skip.as<bool>();
      } catch (const YAML::Exception&) {
        fail(where + ": insecure-skip-tls-verify is not a boolean");
      }
    }
  }

  void read_user(const YAML::Node& user, const std::string& name, Config& config) const {
    const std::string where = "user \"" + name + "\"";
    if (user["exec"]) fail(where + ": exec credential plugins are not supported");
    if (user["auth-provider"]) fail(where + ": auth-provider is not supported");
    if (user["username"] || user["password"])
      fail(where + ": basic authentication is not supported");
    config.client_cert_pem = pem(user, "client-certificate", where);
    config.client_key_pem = pem(user, "client-key", where);
    if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
      fail(where + ": client-certificate and client-key must be given together");
    }
    config.token = scalar(user, "token");
    std::string token_file = scalar(user, "tokenFile");
    if (!token_file.empty()) {
      config.token_file = resolve(token_file);
      try {
        read_token_file(config.token_file);
      } catch (const std::exception& e) {
        fail(where + ": tokenFile: " + e.what());
      }
    }
  }

  std::string source_;
  std::string base_dir_;
};

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

Config parse_kubeconfig(const std::string& yaml_text, const std::string& base_dir,
                        const std::string& context) {
  return KubeconfigReader("kubeconfig (in " + (base_dir.empty() ? "." : base_dir) + ")", base_dir)
      .read(yaml_text, context);
}

Config load_kubeconfig(const std::string& path, const std::string& context) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::exception&) {
    throw std::runtime_error("kubeconfig " + path + ": cannot be read");
  }
  std::string base_dir = fs::path(path).parent_path().string();
  return KubeconfigReader("kubeconfig " + path, base_dir).read(text, context);
}

Config in_cluster_config(const std::string& sa_dir) {
  std::string host = env("KUBERNETES_SERVICE_HOST");
  std::string port = env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    throw std::runtime_error(
        "in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set");
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6 literal

  Config config;
  config.server = "https://" + host + ":" + port;
  config.token_file = (fs::path(sa_dir) / "token").string();
  read_token_file(config.token_file);  // fail now, not at the first request

  std::string ca_file = (fs::path(sa_dir) / "ca.crt").string();
  try {
    config.ca_pem = read_file(ca_file);
  } catch (const std::exception&) {
    throw std::runtime_error("in-cluster config: CA file " + ca_file + ": cannot be read");
  }
  if (config.ca_pem.find("-----BEGIN ") == std::string::npos) {
    throw std::runtime_error("in-cluster config: CA file " + ca_file + ": does not hold PEM data");
  }

  std::string ns_file = (fs::path(sa_dir) / "namespace").string();
  if (fs::exists(ns_file)) {
    std::string ns = read_file(ns_file);
    while (!ns.empty() && std::isspace(static_cast<unsigned char>(ns.back()))) ns.pop_back();
    if (!ns.empty()) config.default_namespace = ns;
  }
  return config;
}

Config load_config(const std::optional<std::string>& kubeconfig_path) {
  if (kubeconfig_path && !kubeconfig_path->empty()) return load_kubeconfig(*kubeconfig_path);
  std::string from_env = env("KUBECONFIG");
  if (!from_env.empty()) {
    // A list of files is allowed; the first one is used (merging is not supported).
    return load_kubeconfig(from_env.substr(0, from_env.find(':')));
  }
  if (!env("KUBERNETES_SERVICE_HOST").empty()) return in_cluster_config();
  std::string home = env("HOME");
  if (home.empty()) {
    throw std::runtime_error("no kubeconfig: KUBECONFIG and HOME are unset and not in a cluster");
  }
  return load_kubeconfig(home + "/.kube/config");
}

}  // namespace kubedbt::kube
