// Tests of kubeconfig and in-cluster configuration loading, including every error path.
#include "kube/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "temp_dir.h"

namespace kubedbt::kube {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::TempDir;

constexpr const char* kCaPem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr const char* kCertPem = "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n";
constexpr const char* kKeyPem = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

std::string base64(const std::string& data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

// A kubeconfig with two clusters, two users and three contexts.
std::string kubeconfig_with(const std::string& admin_user_body) {
  return R"(apiVersion: v1
kind: Config
current-context: admin@local
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: )" +
         base64(kCaPem) + R"(
- name: other
  cluster:
    server: https://127.0.0.2:7443
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
)" + admin_user_body +
         R"(
- name: robot
  user:
    token: s3cr3t-token
contexts:
- name: admin@local
  context:
    cluster: local
    user: admin
    namespace: team-a
- name: robot@other
  context:
    cluster: other
    user: robot
- name: nouser@local
  context:
    cluster: local
)";
}

std::string inline_admin() {
  return "    client-certificate-data: " + base64(kCertPem) +
         "\n    client-key-data: " + base64(kKeyPem);
}

// Expects `load` to throw std::runtime_error whose message holds every fragment.
void expect_error(const std::function<void()>& load, const std::vector<std::string>& fragments) {
  try {
    load();
    ADD_FAILURE() << "no error was thrown";
  } catch (const std::runtime_error& e) {
    for (const auto& fragment : fragments) EXPECT_THAT(e.what(), HasSubstr(fragment));
  }
}

TEST(KubeconfigTest, ReadsInlineCertificatesOfTheCurrentContext) {
  Config config = parse_kubeconfig(kubeconfig_with(inline_admin()), "/nowhere");
  EXPECT_EQ(config.server, "https://127.0.0.1:6443");  // trailing slash dropped
  EXPECT_EQ(config.ca_pem, kCaPem);
  EXPECT_EQ(config.client_cert_pem, kCertPem);
  EXPECT_EQ(config.client_key_pem, kKeyPem);
  EXPECT_EQ(config.default_namespace, "team-a");
  EXPECT_TRUE(config.token.empty());
  EXPECT_FALSE(config.insecure_skip_tls_verify);
}

TEST(KubeconfigTest, ChosenContextWinsOverCurrentContext) {
  Config config = parse_kubeconfig(kubeconfig_with(inline_admin()), "", "robot@other");
  EXPECT_EQ(config.server, "https://127.0.0.2:7443");
  EXPECT_EQ(config.token, "s3cr3t-token");
  EXPECT_TRUE(config.client_cert_pem.empty());
  EXPECT_TRUE(config.ca_pem.empty());
  EXPECT_TRUE(config.insecure_skip_tls_verify);
  EXPECT_EQ(config.default_namespace, "default");
}

TEST(KubeconfigTest, ContextWithoutUserHasNoCredentials) {
  Config config = parse_kubeconfig(kubeconfig_with(inline_admin()), "", "nouser@local");
  EXPECT_TRUE(config.client_cert_pem.empty());
  EXPECT_TRUE(config.token.empty());
  EXPECT_EQ(config.ca_pem, kCaPem);
}

TEST(KubeconfigTest, ResolvesFilePathsRelativeToTheKubeconfig) {
  TempDir dir;
  dir.write("pki/client.crt", kCertPem);
  std::string key = dir.write("elsewhere/client.key", kKeyPem);
  std::string path = dir.write(
      "config", kubeconfig_with("    client-certificate: pki/client.crt\n    client-key: " + key));
  Config config = load_kubeconfig(path);
  EXPECT_EQ(config.client_cert_pem, kCertPem);
  EXPECT_EQ(config.client_key_pem, kKeyPem);  // an absolute path is used as it is
}

TEST(KubeconfigTest, CertificateAuthorityFromAFile) {
  TempDir dir;
  dir.write("ca.crt", kCaPem);
  std::string path = dir.write("config", R"(current-context: c
clusters:
- name: k
  cluster:
    server: https://127.0.0.1:1
    certificate-authority: ca.crt
contexts:
- name: c
  context: {cluster: k}
)");
  EXPECT_EQ(load_kubeconfig(path).ca_pem, kCaPem);
}

TEST(KubeconfigTest, TokenFileIsResolvedAndChecked) {
  TempDir dir;
  std::string token = dir.write("sa/token", "abc\n");
  std::string path = dir.write("config", kubeconfig_with("    tokenFile: sa/token"));
  Config config = load_kubeconfig(path);
  EXPECT_EQ(config.token_file, token);
  EXPECT_TRUE(config.token.empty());
}

TEST(KubeconfigErrorTest, MissingFileNamesIt) {
  expect_error([] { load_kubeconfig("/no/such/kubeconfig"); }, {"/no/such/kubeconfig"});
}

TEST(KubeconfigErrorTest, InvalidYamlNamesTheFile) {
  TempDir dir;
  std::string path = dir.write("config", "clusters: [unclosed\n");
  expect_error([&] { load_kubeconfig(path); }, {path, "YAML"});
}

TEST(KubeconfigErrorTest, NotAMapping) {
  expect_error([] { parse_kubeconfig("- a\n- b\n", "/d"); }, {"mapping"});
}

TEST(KubeconfigErrorTest, NoCurrentContext) {
  expect_error([] { parse_kubeconfig("clusters: []\n", "/d"); }, {"current-context"});
}

TEST(KubeconfigErrorTest, UnknownContextNamesIt) {
  TempDir dir;
  std::string path = dir.write("config", kubeconfig_with(inline_admin()));
  expect_error([&] { load_kubeconfig(path, "ghost"); }, {path, "context \"ghost\"", "contexts"});
}

TEST(KubeconfigErrorTest, UnknownClusterAndUserAreNamed) {
  std::string yaml = R"(current-context: c
clusters: []
users: []
contexts:
- name: c
  context: {cluster: missing-cluster, user: missing-user}
- name: d
  context: {user: u}
)";
  expect_error([&] { parse_kubeconfig(yaml, "/d"); }, {"cluster \"missing-cluster\"", "clusters"});
  expect_error([&] { parse_kubeconfig(yaml, "/d", "d"); }, {"context \"d\"", "no cluster"});
  std::string with_cluster = R"(current-context: c
clusters:
- name: k
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: c
  context: {cluster: k, user: missing-user}
)";
  expect_error([&] { parse_kubeconfig(with_cluster, "/d"); }, {"user \"missing-user\"", "users"});
}

TEST(KubeconfigErrorTest, ClusterWithoutServer) {
  std::string yaml = R"(current-context: c
clusters:
- name: k
  cluster: {certificate-authority-data: ""}
contexts:
- name: c
  context: {cluster: k}
)";
  expect_error([&] { parse_kubeconfig(yaml, "/d"); }, {"cluster \"k\"", "no server"});
}

TEST(KubeconfigErrorTest, ServerThatIsNotAUrl) {
  std::string yaml = R"(current-context: c
clusters:
- name: k
  cluster: {server: "127.0.0.1:6443"}
contexts:
- name: c
  context: {cluster: k}
)";
  expect_error([&] { parse_kubeconfig(yaml, "/d"); }, {"cluster \"k\"", "127.0.0.1:6443"});
}

TEST(KubeconfigErrorTest, BadBase64NamesUserAndField) {
  expect_error(
      [] {
        parse_kubeconfig(kubeconfig_with("    client-certificate-data: not*base64\n"
                                         "    client-key-data: " +
                                         base64(kKeyPem)),
                         "/d");
      },
      {"user \"admin\"", "client-certificate-data"});
}

TEST(KubeconfigErrorTest, DataThatIsNotPem) {
  expect_error(
      [] {
        parse_kubeconfig(kubeconfig_with("    client-certificate-data: " + base64("hello") +
                                         "\n    client-key-data: " + base64(kKeyPem)),
                         "/d");
      },
      {"user \"admin\"", "client-certificate-data", "PEM"});
}

TEST(KubeconfigErrorTest, MissingCertificateFileNamesFileAndUser) {
  TempDir dir;
  std::string path = dir.write("config", kubeconfig_with("    client-certificate: gone.crt\n"
                                                         "    client-key: gone.key"));
  expect_error([&] { load_kubeconfig(path); },
               {path, "user \"admin\"", "client-certificate", dir.path() + "/gone.crt"});
}

TEST(KubeconfigErrorTest, CertificateWithoutKey) {
  expect_error(
      [] {
        parse_kubeconfig(kubeconfig_with("    client-certificate-data: " + base64(kCertPem)), "/d");
      },
      {"user \"admin\"", "client-key"});
}

TEST(KubeconfigErrorTest, MissingTokenFile) {
  TempDir dir;
  std::string path = dir.write("config", kubeconfig_with("    tokenFile: none"));
  expect_error([&] { load_kubeconfig(path); },
               {"user \"admin\"", "tokenFile", dir.path() + "/none"});
}

TEST(KubeconfigErrorTest, UnsupportedAuthenticationIsNamed) {
  expect_error([] { parse_kubeconfig(kubeconfig_with("    exec: {command: aws}"), "/d"); },
               {"user \"admin\"", "exec"});
  expect_error(
      [] { parse_kubeconfig(kubeconfig_with("    username: bob\n    password: x"), "/d"); },
      {"user \"admin\"", "basic"});
}

TEST(KubeconfigErrorTest, InsecureFlagMustBeBoolean) {
  std::string yaml = R"(current-context: c
clusters:
- name: k
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: perhaps}
contexts:
- name: c
  context: {cluster: k}
)";
  expect_error([&] { parse_kubeconfig(yaml, "/d"); },
               {"cluster \"k\"", "insecure-skip-tls-verify"});
}

// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(InClusterConfigTest, ReadsServiceAccountMount) {
  TempDir sa;
  sa.write("token", "tok-1\n");
  sa.write("ca.crt", kCaPem);
  sa.write("namespace", "jobs\n");
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.0.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  Config config = in_cluster_config(sa.path());
  EXPECT_EQ(config.server, "https://10.0.0.1:443");
  EXPECT_EQ(config.ca_pem, kCaPem);
  EXPECT_EQ(config.token_file, sa.path() + "/token");
  EXPECT_TRUE(config.token.empty());
  EXPECT_EQ(config.default_namespace, "jobs");
  EXPECT_LE(config.token_reload_period, std::chrono::seconds(60));
}

TEST(InClusterConfigTest, BracketsIpv6AndDefaultsNamespace) {
  TempDir sa;
  sa.write("token", "tok");
  sa.write("ca.crt", kCaPem);
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00::1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "6443");
  Config config = in_cluster_config(sa.path());
  EXPECT_EQ(config.server, "https://[fd00::1]:6443");
  EXPECT_EQ(config.default_namespace, "default");
}

TEST(InClusterConfigTest, MissingEnvironmentIsNamed) {
  TempDir sa;
  ScopedEnv host("KUBERNETES_SERVICE_HOST", nullptr);
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  expect_error([&] { in_cluster_config(sa.path()); }, {"KUBERNETES_SERVICE_HOST"});
}

TEST(InClusterConfigTest, MissingTokenAndCaAreNamed) {
  TempDir sa;
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.0.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  expect_error([&] { in_cluster_config(sa.path()); }, {sa.path() + "/token"});
  sa.write("token", "tok");
  expect_error([&] { in_cluster_config(sa.path()); }, {sa.path() + "/ca.crt"});
}

TEST(LoadConfigTest, ExplicitPathThenKubeconfigVariable) {
  TempDir dir;
  std::string first = dir.write("first", kubeconfig_with(inline_admin()));
  std::string second = dir.write("second", kubeconfig_with(inline_admin()));
  ScopedEnv kubeconfig("KUBECONFIG", (second + ":" + first).c_str());
  ScopedEnv host("KUBERNETES_SERVICE_HOST", nullptr);
  EXPECT_EQ(load_config(first).server, "https://127.0.0.1:6443");
  dir.write("second", kubeconfig_with(inline_admin()) + "\n# changed\n");
  EXPECT_EQ(load_config().default_namespace, "team-a");
  ScopedEnv broken("KUBECONFIG", (dir.path() + "/missing").c_str());
  expect_error([] { load_config(); }, {"/missing"});
}

}  // namespace
}  // namespace kubedbt::kube
