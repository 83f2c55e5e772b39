// The informer and watch across a kube-apiserver restart and an etcd compaction (410 Gone).
// SERIAL: these tests take the API server down while they run.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "kube/errors.h"
#include "kube/informer.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt::kube {
namespace {

using namespace std::chrono_literals;
using kubedbt::testing::eventually;
using kubedbt::testing::TestCluster;
using kubedbt::testing::TestNamespace;

Json config_map(const std::string& name, const std::string& value) {
  return {{"metadata", {{"name", name}, {"labels", {{"set", "recovery"}}}}},
          {"data", {{"v", value}}}};
}

// The informer's view, rebuilt from handler calls only: it must end up equal to the server's.
class HandlerMirror {
 public:
  InformerHandlers handlers() {
    return {[this](const Json& o) { set(o); }, [this](const Json&, const Json& o) { set(o); },
            [this](const Json& o) {
              std::lock_guard lock(mu_);
              values_.erase(o["metadata"]["name"].get<std::string>());
              deletes_.push_back(o["metadata"]["name"]);
            }};
  }
  std::map<std::string, std::string> values() const {
    std::lock_guard lock(mu_);
    return values_;
  }
  bool deleted(const std::string& name) const {
    std::lock_guard lock(mu_);
    return std::find(deletes_.begin(), deletes_.end(), name) != deletes_.end();
  }

 private:
  void set(const Json& o) {
    std::lock_guard lock(mu_);
    values_[o["metadata"]["name"]] = o["data"].value("v", "");
  }
  mutable std::mutex mu_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> deletes_;
};

std::map<std::string, std::string> server_state(Client& client, const std::string& ns) {
  ListOptions opts;
  opts.label_selector = "set=recovery";
  std::map<std::string, std::string> out;
  for (const auto& item : client.list_all(resources::kConfigMaps, ns, opts).items) {
    out[item["metadata"]["name"]] = item["data"].value("v", "");
  }
  return out;
}

// After kube-apiserver restarts, kube-controller-manager can spend a while in backoff (its
// requests were refused while RBAC warmed up). Waits until it serves new namespaces again, so
// the suites that run after this one find a working cluster.
void wait_for_controllers(Client& client) {
  std::string name =
      "settle-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  ASSERT_TRUE(eventually(
      [&] {
        try {
          client.create(resources::kNamespaces, "", {{"metadata", {{"name", name}}}});
        } catch (const AlreadyExists&) {
        } catch (const ApiError&) {
          return false;
        }
        try {
          client.get(resources::kServiceAccounts, name, "default");
          return true;
        } catch (const ApiError&) {
          return false;
        }
      },
      180s, 500ms))
      << "kube-controller-manager did not recover after the API server restart";
  client.remove(resources::kNamespaces, "", name);
}

class InformerRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"keep", "change", "drop"}) {
      client_->create(resources::kConfigMaps, ns_.name(), config_map(name, "0"));
    }
    InformerOptions options;
    options.ns = ns_.name();
    options.label_selector = "set=recovery";
    options.min_backoff = 100ms;
    options.max_backoff = 2s;
    informer_ = std::make_unique<Informer>(*client_, resources::kConfigMaps, options);
    informer_->add_handlers(mirror_.handlers());
    informer_->start();
    ASSERT_TRUE(informer_->wait_for_sync(30s));
    ASSERT_EQ(mirror_.values().size(), 3u);
  }

  void TearDown() override {
    if (informer_) informer_->stop();
    wait_for_controllers(*client_);
  }

  // Changes made once the API server is back: one update, one delete, one create.
  void change_the_world() {
    client_->merge_patch(resources::kConfigMaps, ns_.name(), "change", {{"data", {{"v", "1"}}}});
    client_->remove(resources::kConfigMaps, ns_.name(), "drop");
    client_->create(resources::kConfigMaps, ns_.name(), config_map("new", "1"));
  }

  bool converged() const {
    auto expected = server_state(*client_, ns_.name());
    std::map<std::string, std::string> cached;
    for (const auto& object : informer_->list()) {
      cached[object["metadata"]["name"]] = object["data"].value("v", "");
    }
    return cached == expected && mirror_.values() == expected && mirror_.deleted("drop");
  }

  std::unique_ptr<Client> client_ = TestCluster::get().admin_client();
  TestNamespace ns_{*client_, "recovery"};
  HandlerMirror mirror_;
  std::unique_ptr<Informer> informer_;
};

TEST_F(InformerRecoveryTest, ConvergesAfterApiserverRestartMidWatch) {
  Informer::Stats before = informer_->stats();
  TestCluster::get().restart_apiserver();
  change_the_world();
  EXPECT_TRUE(eventually([&] { return converged(); }, 60s));
  Informer::Stats after = informer_->stats();
  EXPECT_GT(after.watches, before.watches);  // the dropped watch was replaced
  EXPECT_EQ(server_state(*client_, ns_.name()),
            (std::map<std::string, std::string>{{"change", "1"}, {"keep", "0"}, {"new", "1"}}));
}

TEST_F(InformerRecoveryTest, RelistsAfterGoneAndDeliversTheDifference) {
  // Move etcd past everything the informer has seen, compact that history away, and restart the
  // API server so its watch cache starts after it too: resuming the watch is then 410 Gone.
  TestNamespace elsewhere(*client_, "recovery-other");
  client_->create(resources::kConfigMaps, elsewhere.name(), config_map("bump", "0"));
  TestCluster::get().compact_etcd();
  TestCluster::get().restart_apiserver();
  change_the_world();
  EXPECT_TRUE(eventually([&] { return converged(); }, 60s));
  Informer::Stats stats = informer_->stats();
  EXPECT_GE(stats.relists_after_gone, 1u);
  EXPECT_GE(stats.lists, 2u);
}

class WatchGoneTest : public ::testing::Test {
 protected:
  void TearDown() override { wait_for_controllers(*client_); }
  std::unique_ptr<Client> client_ = TestCluster::get().admin_client();
  TestNamespace ns_{*client_, "gone"};
};

TEST_F(WatchGoneTest, WatchFromACompactedVersionThrowsGone) {
  Json first = client_->create(resources::kConfigMaps, ns_.name(), config_map("a", "0"));
  client_->create(resources::kConfigMaps, ns_.name(), config_map("b", "0"));
  TestCluster::get().compact_etcd();
  TestCluster::get().restart_apiserver();  // the new watch cache begins after the compaction

  WatchOptions opts;
  opts.resource_version = first["metadata"]["resourceVersion"];
  opts.timeout_seconds = 30;
  try {
    client_->watch(resources::kConfigMaps, ns_.name(), opts,
                   [](const WatchEvent&) { return WatchControl::Continue; });
    FAIL() << "watching from a compacted resourceVersion did not fail";
  } catch (const Gone& e) {
    EXPECT_EQ(e.code(), 410);
    EXPECT_NE(std::string(e.what()).find("too old resource version"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace kubedbt::kube
