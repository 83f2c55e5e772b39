// Tests of volume rendering: ConfigMap/Secret items and modes, downward API, projected tokens.
#include "tests/cluster/node-agent/volume_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/cluster/node-agent/in_memory_objects.h"

namespace kubedbt::node_agent {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;

auto file(const std::string& path, const std::string& content, mode_t mode) {
  return ::testing::AllOf(Field(&VolumeFile::path, path), Field(&VolumeFile::content, content),
                          Field(&VolumeFile::mode, mode));
}

class VolumeFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    objects.now = std::chrono::system_clock::from_time_t(1'700'000'000);
    objects.add_config_map("shop", "settings", {{"color", "blue"}, {"size", "xl"}});
    objects.add_config_map("shop", "kube-root-ca.crt", {{"ca.crt", "PEM"}});
    objects.add_secret("shop", "db", {{"password", "s3cr3t"}, {"user", "dbt"}});
  }
  RenderedVolume render(const std::string& volume_json) {
    return render_volume(pod, Json::parse(volume_json), objects, objects, {}, objects.now);
  }
  Json pod = {
      {"metadata",
       {{"name", "p"}, {"namespace", "shop"}, {"uid", "u-1"}, {"labels", {{"app", "web"}}}}},
      {"spec", {{"serviceAccountName", "runner"}}}};
  testing::InMemoryObjects objects;
};

TEST_F(VolumeFilesTest, ConfigMapWithoutItemsHasEveryKeyWithTheDefaultMode) {
  const RenderedVolume volume = render(R"J({"name": "v", "configMap": {"name": "settings"}})J");
  EXPECT_EQ(volume.kind, VolumeKind::Files);
  EXPECT_THAT(volume.files, ElementsAre(file("color", "blue", 0644), file("size", "xl", 0644)));
}

TEST_F(VolumeFilesTest, SecretItemsChoosePathsAndModes) {
  const RenderedVolume volume = render(R"J({"name": "v", "secret": {"secretName": "db",
      "defaultMode": 256, "items": [{"key": "password", "path": "creds/pw", "mode": 384},
                                    {"key": "user", "path": "user"}]}})J");
  EXPECT_THAT(volume.files,
              ElementsAre(file("creds/pw", "s3cr3t", 0600), file("user", "dbt", 0400)));
}

TEST_F(VolumeFilesTest, MissingObjectsFailUnlessOptional) {
  EXPECT_THROW(render(R"J({"name": "v", "secret": {"secretName": "gone"}})J"),
               ContainerConfigError);
  EXPECT_TRUE(render(R"J({"name": "v", "secret": {"secretName": "gone", "optional": true}})J")
                  .files.empty());
  try {
    render(
        R"J({"name": "v", "secret": {"secretName": "db", "items": [{"key": "x", "path": "x"}]}})J");
    FAIL() << "expected ContainerConfigError";
  } catch (const ContainerConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("key x not found in secret shop/db"));
    EXPECT_THAT(error.what(), Not(HasSubstr("s3cr3t")));
  }
}

TEST_F(VolumeFilesTest, ItemPathsMayNotEscapeTheVolume) {
  EXPECT_THROW(render(R"J({"name": "v", "configMap": {"name": "settings",
                          "items": [{"key": "color", "path": "../etc/passwd"}]}})J"),
               ContainerConfigError);
  EXPECT_THROW(render(R"J({"name": "v", "configMap": {"name": "settings",
                          "items": [{"key": "color", "path": "/abs"}]}})J"),
               ContainerConfigError);
  EXPECT_TRUE(is_safe_relative_path("a/b..c/d"));
  EXPECT_FALSE(is_safe_relative_path("a/../b"));
  EXPECT_FALSE(is_safe_relative_path(""));
}

TEST_F(VolumeFilesTest, ProjectedServiceAccountVolumeHasTokenCaAndNamespace) {
  const RenderedVolume volume = render(R"J({"name": "kube-api-access", "projected": {
      "defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3600, "path": "token", "audience": "api"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}})J");
  EXPECT_THAT(volume.files,
              ElementsAre(file("token", "token-for-runner-api", 0644), file("ca.crt", "PEM", 0644),
                          file("namespace", "shop", 0644)));
  ASSERT_EQ(objects.token_requests.size(), 1u);
  EXPECT_EQ(objects.token_requests[0].pod_uid, "u-1");
  EXPECT_EQ(objects.token_requests[0].pod_name, "p");
  EXPECT_EQ(objects.token_requests[0].expiration_seconds, 3600);
  ASSERT_TRUE(volume.refresh_at.has_value());
  EXPECT_EQ(*volume.refresh_at, objects.now + seconds(2880));  // 80% of the lifetime
}

TEST_F(VolumeFilesTest, DownwardApiVolumeFormatsLabels) {
  const RenderedVolume volume = render(R"J({"name": "info", "downwardAPI": {"items": [
      {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}, "mode": 256}]}})J");
  EXPECT_THAT(volume.files, ElementsAre(file("labels", "app=\"web\"\n", 0400)));
}

TEST_F(VolumeFilesTest, EmptyDirAndHostPathAreNotRendered) {
  EXPECT_EQ(render(R"J({"name": "scratch", "emptyDir": {}})J").kind, VolumeKind::EmptyDir);
  const RenderedVolume host = render(R"J({"name": "h", "hostPath": {"path": "/tmp/x"}})J");
  EXPECT_EQ(host.kind, VolumeKind::HostPath);
  EXPECT_EQ(host.host_path, "/tmp/x");
}

TEST_F(VolumeFilesTest, UnsupportedVolumeTypesAreNamed) {
  try {
    render(R"J({"name": "data", "persistentVolumeClaim": {"claimName": "c"}})J");
    FAIL() << "expected ContainerConfigError";
  } catch (const ContainerConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("persistentVolumeClaim"));
  }
}

}  // namespace
}  // namespace kubedbt::node_agent
