// Tests of a container's environment: values, Secret/ConfigMap keys, envFrom, downward API and
// $(VAR) expansion.
#include "tests/cluster/node-agent/container_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/cluster/node-agent/in_memory_objects.h"

namespace kubedbt::node_agent {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

Json pod_with(const Json& container) {
  return {{"metadata", {{"name", "job-abc"}, {"namespace", "shop"}, {"uid", "u-9"}}},
          {"spec", {{"nodeName", "kubedbt-node"}, {"containers", Json::array({container})}}}};
}

class ContainerEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    objects.add_secret("shop", "db", {{"password", "s3cr3t"}});
    objects.add_config_map("shop", "settings", {{"color", "blue"}, {"size", "xl"}});
  }
  EnvList build(const Json& container, const EnvList& base = {}) {
    return build_container_env(pod_with(container), container, base, objects, {});
  }
  testing::InMemoryObjects objects;
};

TEST_F(ContainerEnvTest, ResolvesValuesKeysAndFieldsInOrder) {
  const Json container = Json::parse(R"J({"name": "main", "env": [
      {"name": "PLAIN", "value": "x"},
      {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
      {"name": "COLOR", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "color"}}},
      {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
      {"name": "EMPTY"}]})J");
  EXPECT_EQ(build(container), (EnvList{{"PLAIN", "x"},
                                       {"PASSWORD", "s3cr3t"},
                                       {"COLOR", "blue"},
                                       {"POD", "job-abc"},
                                       {"EMPTY", ""}}));
}

TEST_F(ContainerEnvTest, MissingRequiredSecretFailsWithoutItsValue) {
  const Json container = Json::parse(R"J({"name": "main", "env": [
      {"name": "A", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
      {"name": "B", "valueFrom": {"secretKeyRef": {"name": "db", "key": "user"}}}]})J");
  try {
    build(container);
    FAIL() << "expected ContainerConfigError";
  } catch (const ContainerConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("couldn't find key user in secret shop/db"));
    EXPECT_THAT(error.what(), Not(HasSubstr("s3cr3t")));
  }
  const Json missing_object = Json::parse(R"J({"name": "main", "env": [
      {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k"}}}]})J");
  EXPECT_THROW(build(missing_object), ContainerConfigError);
}

TEST_F(ContainerEnvTest, OptionalReferencesThatAreMissingAreLeftOut) {
  const Json container = Json::parse(R"J({"name": "main", "env": [
      {"name": "A", "valueFrom": {"secretKeyRef": {"name": "gone", "key": "k", "optional": true}}},
      {"name": "B", "valueFrom": {"configMapKeyRef":
                                   {"name": "settings", "key": "none", "optional": true}}}],
      "envFrom": [{"secretRef": {"name": "gone", "optional": true}}]})J");
  EXPECT_TRUE(build(container).empty());
}

TEST_F(ContainerEnvTest, EnvFromAddsEveryKeyWithItsPrefixAndEnvOverridesIt) {
  const Json container = Json::parse(R"J({"name": "main",
      "envFrom": [{"configMapRef": {"name": "settings"}, "prefix": "CFG_"},
                  {"secretRef": {"name": "db"}}],
      "env": [{"name": "CFG_size", "value": "s"}]})J");
  const EnvList env = build(container);
  EXPECT_THAT(env, Contains(Pair("CFG_color", "blue")));
  EXPECT_THAT(env, Contains(Pair("CFG_size", "s")));
  EXPECT_THAT(env, Contains(Pair("password", "s3cr3t")));
  EXPECT_THAT(env, Not(Contains(Pair("CFG_size", "xl"))));
}

TEST_F(ContainerEnvTest, ExpandsReferencesToEarlierVariablesAndTheBase) {
  const Json container = Json::parse(R"J({"name": "main", "env": [
      {"name": "USER", "value": "dbt"},
      {"name": "URL", "value": "postgres://$(USER)@$(HOST)/$(UNSET)$$(USER)"}]})J");
  const EnvList env = build(container, {{"HOST", "127.0.0.1"}});
  EXPECT_THAT(env, Contains(Pair("URL", "postgres://dbt@127.0.0.1/$(UNSET)$(USER)")));
}

TEST_F(ContainerEnvTest, ContainerVariablesOverrideTheBaseKeepingItsPosition) {
  const Json container =
      Json::parse(R"J({"name": "main", "env": [{"name": "PATH", "value": "/x"}]})J");
  EXPECT_EQ(build(container, {{"PATH", "/usr/bin"}, {"HOME", "/root"}}),
            (EnvList{{"PATH", "/x"}, {"HOME", "/root"}}));
}

TEST(KubernetesServiceEnv, PointsAtTheApiServerOfTheKubeconfig) {
  const EnvList env = kubernetes_service_env("https://127.0.0.1:31176");
  EXPECT_THAT(env, Contains(Pair("KUBERNETES_SERVICE_HOST", "127.0.0.1")));
  EXPECT_THAT(env, Contains(Pair("KUBERNETES_SERVICE_PORT", "31176")));
  EXPECT_THAT(env, Contains(Pair("KUBERNETES_PORT", "tcp://127.0.0.1:31176")));
  EXPECT_THAT(kubernetes_service_env("https://[::1]:6443/"),
              Contains(Pair("KUBERNETES_SERVICE_HOST", "::1")));
  EXPECT_THAT(kubernetes_service_env("https://kube.example"),
              Contains(Pair("KUBERNETES_SERVICE_PORT", "443")));
}

TEST(ExpandReferences, HandlesUnterminatedAndDollarAtTheEnd) {
  EXPECT_EQ(expand_references("a$(B", {{"B", "x"}}), "a$(B");
  EXPECT_EQ(expand_references("cost$", {}), "cost$");
  EXPECT_EQ(expand_references("$(B)$(B)", {{"B", "x"}}), "xx");
}

}  // namespace
}  // namespace kubedbt::node_agent
