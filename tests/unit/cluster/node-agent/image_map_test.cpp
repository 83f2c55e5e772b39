// Tests of the image-name-to-local-environment rule.
#include "tests/cluster/node-agent/image_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubedbt::node_agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::optional<std::string> test_env(const std::string& name) {
  if (name == "BUILD") return "/work/build";
  return std::nullopt;
}

TEST(ImageRepository, StripsTagsAndDigestsButNotRegistryPorts) {
  EXPECT_EQ(image_repository("busybox"), "busybox");
  EXPECT_EQ(image_repository("busybox:1.36"), "busybox");
  EXPECT_EQ(image_repository("ghcr.io/kubedbt/kubedbt-runner:0.1.0"),
            "ghcr.io/kubedbt/kubedbt-runner");
  EXPECT_EQ(image_repository("localhost:5000/runner"), "localhost:5000/runner");
  EXPECT_EQ(image_repository("localhost:5000/runner:v1@sha256:abc"), "localhost:5000/runner");
}

TEST(ImageMap, MatchesFullRepositoryThenWithoutRegistryThenLastComponent) {
  const ImageMap map = ImageMap::parse(R"J(
images:
  ghcr.io/kubedbt/kubedbt-runner: {env: {WHICH: full}}
  other/tool: {env: {WHICH: short}}
  kubedbt-runner: {env: {WHICH: last}}
)J",
                                       "test", test_env);
  EXPECT_EQ(map.resolve("ghcr.io/kubedbt/kubedbt-runner:1").matched_key,
            "ghcr.io/kubedbt/kubedbt-runner");
  EXPECT_EQ(map.resolve("quay.io/other/tool:2").matched_key, "other/tool");
  EXPECT_EQ(map.resolve("docker.io/me/kubedbt-runner").matched_key, "kubedbt-runner");
  EXPECT_EQ(map.resolve("kubedbt-runner:dev").matched_key, "kubedbt-runner");
}

TEST(ImageMap, ReadsPathEnvAndEntrypointExpandingVariables) {
  const ImageMap map = ImageMap::parse(R"J(
images:
  kubedbt-runner:
    path: ["${BUILD}/runner", /opt/venv/bin]
    env: {DBT_HOME: "${BUILD}/dbt", EMPTY: "${UNSET}"}
    command: [kubedbt-runner]
    args: [--verbose]
    workingDir: /srv
)J",
                                       "test", test_env);
  const ImageEnvironment image = map.resolve("kubedbt-runner:latest");
  EXPECT_THAT(image.path_prepend, ElementsAre("/work/build/runner", "/opt/venv/bin"));
  EXPECT_THAT(image.env, ElementsAre(Pair("DBT_HOME", "/work/build/dbt"), Pair("EMPTY", "")));
  EXPECT_THAT(image.command, ElementsAre("kubedbt-runner"));
  EXPECT_THAT(image.args, ElementsAre("--verbose"));
  EXPECT_EQ(image.working_dir, "/srv");
}

TEST(ImageMap, UnknownImagesGetTheHostEnvironmentOnly) {
  const ImageEnvironment image = ImageMap().resolve("debian:12");
  EXPECT_TRUE(image.matched_key.empty());
  EXPECT_TRUE(image.path_prepend.empty());
  EXPECT_TRUE(image.command.empty());
}

TEST(ImageMap, BadFilesAreRefusedNamingTheEntry) {
  try {
    ImageMap::parse("images:\n  runner:\n    path: /not/a/list\n", "map.yaml", test_env);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("map.yaml: images.runner.path"));
  }
  EXPECT_THROW(ImageMap::parse("images: [a, b]", "map.yaml", test_env), std::runtime_error);
  EXPECT_THROW(ImageMap::parse("images: {a: [", "map.yaml", test_env), std::runtime_error);
  EXPECT_THROW(ImageMap::load("/nonexistent/image-map.yaml"), std::runtime_error);
}

}  // namespace
}  // namespace kubedbt::node_agent
