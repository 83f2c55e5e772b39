// The client against the local cluster: verbs, subresources, SSA, watch, paging, metadata-only
// reads, RBAC and validation errors.
#include "kube/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "kube/errors.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt::kube {
namespace {

using kubedbt::testing::eventually;
using kubedbt::testing::TestCluster;
using kubedbt::testing::TestNamespace;
using ::testing::HasSubstr;

const Resource kWidgets{"kube-test.kubedbt.io", "v1", "widgets", true};

Json config_map(const std::string& name, Json data, Json labels = Json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"data", data}};
}

std::string rv(const Json& object) { return object["metadata"]["resourceVersion"]; }

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> client_ = TestCluster::get().admin_client();
  TestNamespace ns_{*client_, "kube"};
};

TEST_F(ClientTest, ConfigMapCrud) {
  Json created =
      client_->create(resources::kConfigMaps, ns_.name(), config_map("cm", {{"a", "1"}}));
  EXPECT_FALSE(created["metadata"]["uid"].get<std::string>().empty());
  EXPECT_THROW(client_->create(resources::kConfigMaps, ns_.name(), config_map("cm", {})),
               AlreadyExists);

  Json fetched = client_->get(resources::kConfigMaps, ns_.name(), "cm");
  EXPECT_EQ(fetched["data"]["a"], "1");

  fetched["data"]["a"] = "2";
  Json updated = client_->update(resources::kConfigMaps, ns_.name(), fetched);
  EXPECT_EQ(updated["data"]["a"], "2");
  EXPECT_NE(rv(updated), rv(created));

  Json stale = created;
  stale["data"]["a"] = "stale";
  EXPECT_THROW(client_->update(resources::kConfigMaps, ns_.name(), stale), Conflict);

  Json patched =
      client_->merge_patch(resources::kConfigMaps, ns_.name(), "cm", {{"data", {{"b", "3"}}}});
  EXPECT_EQ(patched["data"], Json({{"a", "2"}, {"b", "3"}}));

  ListResult listed = client_->list(resources::kConfigMaps, ns_.name());
  EXPECT_TRUE(std::any_of(listed.items.begin(), listed.items.end(), [](const Json& item) {
    return item["metadata"]["name"] == "cm" && item["kind"] == "ConfigMap";
  }));
  EXPECT_FALSE(listed.resource_version.empty());

  client_->remove(resources::kConfigMaps, ns_.name(), "cm");
  EXPECT_THROW(client_->get(resources::kConfigMaps, ns_.name(), "cm"), NotFound);
  EXPECT_THROW(client_->remove(resources::kConfigMaps, ns_.name(), "cm"), NotFound);
}

TEST_F(ClientTest, DeletePreconditionsAndPropagation) {
  Json created = client_->create(resources::kConfigMaps, ns_.name(), config_map("cm", {}));
  client_->merge_patch(resources::kConfigMaps, ns_.name(), "cm", {{"data", {{"x", "y"}}}});

  DeleteOptions stale;
  stale.precondition_resource_version = rv(created);
  EXPECT_THROW(client_->remove(resources::kConfigMaps, ns_.name(), "cm", stale), Conflict);
  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "00000000-0000-0000-0000-000000000000";
  EXPECT_THROW(client_->remove(resources::kConfigMaps, ns_.name(), "cm", wrong_uid), Conflict);

  DeleteOptions right;
  right.precondition_uid = created["metadata"]["uid"];
  right.propagation_policy = "Background";
  right.grace_period_seconds = 0;
  client_->remove(resources::kConfigMaps, ns_.name(), "cm", right);
  EXPECT_THROW(client_->get(resources::kConfigMaps, ns_.name(), "cm"), NotFound);
}

TEST_F(ClientTest, InvalidObjectExposesTheStatusCauses) {
  try {
    client_->create(resources::kConfigMaps, ns_.name(),
                    config_map("Not_A_Valid_Name", {{"bad key!", "v"}}));
    FAIL() << "the server accepted an invalid ConfigMap";
  } catch (const Invalid& e) {
    EXPECT_EQ(e.code(), 422);
    EXPECT_EQ(e.reason(), "Invalid");
    std::vector<std::string> fields;
    for (const auto& cause : e.status().causes) fields.push_back(cause.field);
    EXPECT_THAT(fields, ::testing::Contains("metadata.name"));
    EXPECT_THAT(fields, ::testing::Contains(HasSubstr("data")));
    EXPECT_THAT(e.what(), HasSubstr("POST /api/v1/namespaces/" + ns_.name() + "/configmaps"));
  }
}

TEST_F(ClientTest, UserWithoutRightsIsForbidden) {
  auto nobody = make_client(TestCluster::get().user_config("kube-test-nobody", {"kube-test"}));
  try {
    nobody->list(resources::kConfigMaps, ns_.name());
    FAIL() << "a user without bindings listed ConfigMaps";
  } catch (const Forbidden& e) {
    EXPECT_EQ(e.code(), 403);
    EXPECT_THAT(e.status().message, HasSubstr("kube-test-nobody"));
  }
  EXPECT_THROW(nobody->create(resources::kConfigMaps, ns_.name(), config_map("x", {})), Forbidden);
}

TEST_F(ClientTest, ServiceAccountTokenSubresourceAndBearerAuth) {
  client_->create(resources::kServiceAccounts, ns_.name(), {{"metadata", {{"name", "robot"}}}});
  Json request = {{"apiVersion", "authentication.k8s.io/v1"},
                  {"kind", "TokenRequest"},
                  {"spec", {{"expirationSeconds", 600}}}};
  Json answer = client_->create(resources::kServiceAccounts, ns_.name(), request, "token", "robot");
  std::string token = answer["status"]["token"];
  ASSERT_FALSE(token.empty());

  Config as_robot = TestCluster::get().admin_config();
  as_robot.client_cert_pem.clear();
  as_robot.client_key_pem.clear();
  as_robot.token = token;
  auto robot = make_client(as_robot);
  // Authenticated as the service account (discovery is open to it), but it holds no RBAC rights.
  EXPECT_TRUE(robot->request("GET", "/api").contains("versions"));
  try {
    robot->get(resources::kConfigMaps, ns_.name(), "anything");
    FAIL() << "the service account read a ConfigMap";
  } catch (const Forbidden& e) {
    EXPECT_THAT(e.status().message, HasSubstr("system:serviceaccount:" + ns_.name() + ":robot"));
  }
  as_robot.token = "not-a-token";
  EXPECT_THROW(make_client(as_robot)->request("GET", "/api"), Unauthorized);
}

TEST_F(ClientTest, ServerSideApplyConflictAndForce) {
  ApplyOptions alpha{"alpha", false};
  ApplyOptions beta{"beta", false};
  Json first = client_->apply(resources::kConfigMaps, ns_.name(),
                              config_map("owned", {{"key", "from-alpha"}}), alpha);
  EXPECT_EQ(first["data"]["key"], "from-alpha");

  try {
    client_->apply(resources::kConfigMaps, ns_.name(), config_map("owned", {{"key", "from-beta"}}),
                   beta);
    FAIL() << "a second field manager took a field without force";
  } catch (const Conflict& e) {
    EXPECT_EQ(e.code(), 409);
    EXPECT_THAT(e.status().message, HasSubstr("alpha"));
    ASSERT_FALSE(e.status().causes.empty());
    EXPECT_EQ(e.status().causes[0].field, ".data.key");
  }

  beta.force = true;
  Json forced = client_->apply(resources::kConfigMaps, ns_.name(),
                               config_map("owned", {{"key", "from-beta"}}), beta);
  EXPECT_EQ(forced["data"]["key"], "from-beta");
  std::vector<std::string> managers;
  for (const auto& entry : forced["metadata"]["managedFields"]) {
    if (entry["fieldsV1"].dump().find("f:key") != std::string::npos) {
      managers.push_back(entry["manager"]);
    }
  }
  EXPECT_EQ(managers, std::vector<std::string>{"beta"});
}

// Installs the test CRD `widgets.kube-test.kubedbt.io` (once per cluster) with a status
// subresource.
void install_widget_crd(Client& client) {
  Json crd = Json::parse(R"json({
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.kube-test.kubedbt.io"},
    "spec": {
      "group": "kube-test.kubedbt.io",
      "scope": "Namespaced",
      "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
      "versions": [{
        "name": "v1", "served": true, "storage": true,
        "subresources": {"status": {}},
        "schema": {"openAPIV3Schema": {
          "type": "object",
          "properties": {
            "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
            "status": {"type": "object", "properties": {"phase": {"type": "string"}}}
          }
        }}
      }]
    }
  })json");
  client.apply(resources::kCustomResourceDefinitions, "", crd, ApplyOptions{"kube-test", true});
  bool established = eventually([&] {
    Json current = client.get(resources::kCustomResourceDefinitions, "", crd["metadata"]["name"]);
    for (const auto& condition : current["status"].value("conditions", Json::array())) {
      if (condition["type"] == "Established" && condition["status"] == "True") return true;
    }
    return false;
  });
  ASSERT_TRUE(established) << "the test CRD never became Established";
  // Discovery of a new group can lag behind Established.
  ASSERT_TRUE(eventually([&] {
    try {
      client.list(kWidgets, "default");
      return true;
    } catch (const NotFound&) {
      return false;  // the group is not served yet
    } catch (const TooManyRequests&) {
      return false;  // its storage is still initializing
    }
  }));
}

TEST_F(ClientTest, StatusSubresourceOfACustomResource) {
  install_widget_crd(*client_);
  Json widget = {{"apiVersion", "kube-test.kubedbt.io/v1"},
                 {"kind", "Widget"},
                 {"metadata", {{"name", "w"}}},
                 {"spec", {{"size", 3}}},
                 {"status", {{"phase", "Ignored"}}}};
  Json created = client_->create(kWidgets, ns_.name(), widget);
  EXPECT_FALSE(created.contains("status") && created["status"].contains("phase"))
      << "status must be ignored on create when the status subresource is on";

  created["status"] = {{"phase", "Ready"}};
  created["spec"]["size"] = 99;  // ignored by the status endpoint
  Json after = client_->update_status(kWidgets, ns_.name(), created);
  EXPECT_EQ(after["status"]["phase"], "Ready");
  EXPECT_EQ(after["spec"]["size"], 3);

  client_->merge_patch(kWidgets, ns_.name(), "w", {{"status", {{"phase", "Done"}}}}, "status");
  client_->apply(kWidgets, ns_.name(),
                 {{"apiVersion", "kube-test.kubedbt.io/v1"},
                  {"kind", "Widget"},
                  {"metadata", {{"name", "w"}}},
                  {"spec", {{"size", 4}}}},
                 ApplyOptions{"kube-test", true});
  Json final_state = client_->get(kWidgets, ns_.name(), "w");
  EXPECT_EQ(final_state["status"]["phase"], "Done");
  EXPECT_EQ(final_state["spec"]["size"], 4);

  Json stale = created;
  stale["status"] = {{"phase", "Stale"}};
  EXPECT_THROW(client_->update_status(kWidgets, ns_.name(), stale), Conflict);
}

TEST_F(ClientTest, WatchSeesAddedModifiedDeletedInOrder) {
  std::string from = client_->list(resources::kConfigMaps, ns_.name()).resource_version;
  std::vector<std::string> seen;
  std::vector<uint64_t> versions;
  std::jthread watcher([&](std::stop_token stop) {
    WatchOptions opts;
    opts.resource_version = from;
    opts.field_selector = "metadata.name=watched";
    opts.timeout_seconds = 60;
    client_->watch(
        resources::kConfigMaps, ns_.name(), opts,
        [&](const WatchEvent& event) {
          if (event.type == WatchEvent::Type::Bookmark) return WatchControl::Continue;
          seen.push_back(to_string(event.type));
          versions.push_back(std::stoull(rv(event.object)));
          return event.type == WatchEvent::Type::Deleted ? WatchControl::Stop
                                                         : WatchControl::Continue;
        },
        stop);
  });
  client_->create(resources::kConfigMaps, ns_.name(), config_map("watched", {{"v", "1"}}));
  client_->merge_patch(resources::kConfigMaps, ns_.name(), "watched", {{"data", {{"v", "2"}}}});
  client_->remove(resources::kConfigMaps, ns_.name(), "watched");
  watcher.join();
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
  EXPECT_TRUE(std::is_sorted(versions.begin(), versions.end()));
}

TEST_F(ClientTest, WatchReturnsWhenStopped) {
  std::stop_source stop;
  std::string returned = "unset";
  std::thread watcher([&] {
    WatchOptions opts;
    opts.timeout_seconds = 3600;
    returned = client_->watch(
        resources::kConfigMaps, ns_.name(), opts,
        [](const WatchEvent&) { return WatchControl::Continue; }, stop.get_token());
  });
  // Let the watch reach the server, then cancel it: join returns long before the hour is up.
  client_->create(resources::kConfigMaps, ns_.name(), config_map("poke", {}));
  stop.request_stop();
  watcher.join();
  EXPECT_NE(returned, "unset");
}

TEST_F(ClientTest, WatchHandlerExceptionPropagates) {
  client_->create(resources::kConfigMaps, ns_.name(), config_map("present", {}));
  WatchOptions opts;
  opts.timeout_seconds = 30;
  EXPECT_THROW(client_->watch(resources::kConfigMaps, ns_.name(), opts,
                              [](const WatchEvent&) -> WatchControl {
                                throw std::logic_error("handler failed");
                              }),
               std::logic_error);
}

TEST_F(ClientTest, PagingWithLimitAndContinue) {
  for (int i = 0; i < 7; ++i) {
    client_->create(resources::kConfigMaps, ns_.name(),
                    config_map("page-" + std::to_string(i), {}, {{"paged", "yes"}}));
  }
  client_->create(resources::kConfigMaps, ns_.name(), config_map("unlabelled", {}));

  ListOptions opts;
  opts.label_selector = "paged=yes";
  opts.limit = 3;
  std::vector<std::size_t> page_sizes;
  std::set<std::string> names;
  do {
    ListResult page = client_->list(resources::kConfigMaps, ns_.name(), opts);
    page_sizes.push_back(page.items.size());
    for (const auto& item : page.items) names.insert(item["metadata"]["name"]);
    opts.continue_token = page.continue_token;
  } while (!opts.continue_token.empty());
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{3, 3, 1}));
  EXPECT_EQ(names.size(), 7u);

  ListOptions selector;
  selector.label_selector = "paged in (yes,maybe),!absent";
  ListResult all = client_->list_all(resources::kConfigMaps, ns_.name(), selector, 2);
  EXPECT_EQ(all.items.size(), 7u);
  EXPECT_TRUE(all.continue_token.empty());
  EXPECT_FALSE(all.resource_version.empty());
}

TEST_F(ClientTest, MetadataOnlyReadsCarryNoSecretData) {
  client_->create(resources::kSecrets, ns_.name(),
                  {{"metadata", {{"name", "creds"}, {"labels", {{"app", "db"}}}}},
                   {"stringData", {{"password", "hunter2"}}}});
  ListOptions opts;
  opts.metadata_only = true;
  ListResult listed = client_->list(resources::kSecrets, ns_.name(), opts);
  ASSERT_EQ(listed.items.size(), 1u);
  const Json& item = listed.items[0];
  EXPECT_EQ(item["metadata"]["name"], "creds");
  EXPECT_EQ(item["metadata"]["labels"]["app"], "db");
  EXPECT_EQ(item["kind"], "PartialObjectMetadata");
  EXPECT_FALSE(item.contains("data"));
  EXPECT_FALSE(item.contains("stringData"));
  EXPECT_EQ(item.dump().find("aHVudGVyMg"), std::string::npos);  // base64 of the password

  Json fetched = client_->get(resources::kSecrets, ns_.name(), "creds", GetOptions{true});
  EXPECT_EQ(fetched["kind"], "PartialObjectMetadata");
  EXPECT_FALSE(fetched.contains("data"));

  WatchOptions watch;
  watch.metadata_only = true;
  watch.timeout_seconds = 30;
  Json watched;
  client_->watch(resources::kSecrets, ns_.name(), watch, [&](const WatchEvent& event) {
    watched = event.object;
    return WatchControl::Stop;
  });
  EXPECT_EQ(watched["metadata"]["name"], "creds");
  EXPECT_FALSE(watched.contains("data"));

  // The full read still has it, so the absence above is the server honouring the Accept header.
  EXPECT_TRUE(client_->get(resources::kSecrets, ns_.name(), "creds").contains("data"));
}

TEST_F(ClientTest, RawRequestAndDiscovery) {
  Json versions = client_->request("GET", "/apis/batch");
  EXPECT_EQ(versions["name"], "batch");
  EXPECT_EQ(client_->request("GET", "/readyz"), Json("ok"));
  EXPECT_THROW(client_->request("GET", "/apis/no.such.group/v1"), NotFound);
}

}  // namespace
}  // namespace kubedbt::kube
