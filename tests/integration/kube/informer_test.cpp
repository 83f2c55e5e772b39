// The informer against the local cluster: handlers, label selectors, resync, metadata-only cache.
#include "kube/informer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "kube/errors.h"
#include "tests/cluster/support/test_cluster.h"

namespace kubedbt::kube {
namespace {

using namespace std::chrono_literals;
using kubedbt::testing::eventually;
using kubedbt::testing::TestCluster;
using kubedbt::testing::TestNamespace;

Json config_map(const std::string& name, const std::string& app, const std::string& value) {
  return {{"metadata", {{"name", name}, {"labels", {{"app", app}}}}}, {"data", {{"v", value}}}};
}

// What the handlers saw, as "add name", "update name old->new", "delete name" lines.
class HandlerLog {
 public:
  InformerHandlers handlers() {
    return {[this](const Json& o) { record("add " + name(o)); },
            [this](const Json& before, const Json& after) {
              record("update " + name(after) + " " + before["data"].value("v", "") + "->" +
                     after["data"].value("v", "") +
                     (version(before) == version(after) ? " resync" : ""));
            },
            [this](const Json& o) { record("delete " + name(o)); }};
  }
  bool saw(const std::string& line) const {
    std::lock_guard lock(mu_);
    return std::find(lines_.begin(), lines_.end(), line) != lines_.end();
  }
  std::size_t count_containing(const std::string& fragment) const {
    std::lock_guard lock(mu_);
    return std::count_if(lines_.begin(), lines_.end(), [&](const std::string& line) {
      return line.find(fragment) != std::string::npos;
    });
  }

 private:
  static std::string name(const Json& o) { return o["metadata"]["name"]; }
  static std::string version(const Json& o) { return o["metadata"]["resourceVersion"]; }
  void record(std::string line) {
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
  }
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

class InformerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> client_ = TestCluster::get().admin_client();
  TestNamespace ns_{*client_, "informer"};
};

TEST_F(InformerTest, HandlersFollowAddUpdateDeleteForSelectedObjects) {
  client_->create(resources::kConfigMaps, ns_.name(), config_map("before", "web", "0"));
  client_->create(resources::kConfigMaps, ns_.name(), config_map("other", "db", "0"));

  InformerOptions options;
  options.ns = ns_.name();
  options.label_selector = "app=web";
  Informer informer(*client_, resources::kConfigMaps, options);
  HandlerLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(30s));
  EXPECT_TRUE(informer.has_synced());
  EXPECT_TRUE(log.saw("add before"));
  EXPECT_EQ(informer.size(), 1u);

  client_->create(resources::kConfigMaps, ns_.name(), config_map("after", "web", "1"));
  client_->merge_patch(resources::kConfigMaps, ns_.name(), "before", {{"data", {{"v", "2"}}}});
  client_->remove(resources::kConfigMaps, ns_.name(), "after");
  client_->merge_patch(resources::kConfigMaps, ns_.name(), "other", {{"data", {{"v", "9"}}}});

  ASSERT_TRUE(eventually([&] { return log.saw("delete after"); }));
  EXPECT_TRUE(log.saw("add after"));
  EXPECT_TRUE(log.saw("update before 0->2"));
  EXPECT_EQ(log.count_containing("other"), 0u);  // outside the selector
  EXPECT_EQ(informer.size(), 1u);
  auto cached = informer.get(ns_.name(), "before");
  ASSERT_TRUE(cached);
  EXPECT_EQ((*cached)["data"]["v"], "2");
  EXPECT_FALSE(informer.get(ns_.name(), "other"));

  // Leaving the selector is a delete for the informer.
  client_->merge_patch(resources::kConfigMaps, ns_.name(), "before",
                       {{"metadata", {{"labels", {{"app", "db"}}}}}});
  ASSERT_TRUE(eventually([&] { return log.saw("delete before"); }));
  EXPECT_EQ(informer.size(), 0u);

  Informer::Stats stats = informer.stats();
  EXPECT_EQ(stats.lists, 1u);
  EXPECT_GE(stats.watches, 1u);
  EXPECT_GE(stats.events, 4u);
  EXPECT_EQ(stats.relists_after_gone, 0u);
}

TEST_F(InformerTest, ReadsFromOtherThreadsWhileEventsArrive) {
  InformerOptions options;
  options.ns = ns_.name();
  options.label_selector = "app=load";
  Informer informer(*client_, resources::kConfigMaps, options);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(30s));

  std::atomic<bool> done{false};
  std::atomic<std::size_t> reads{0};
  std::thread reader([&] {
    while (!done) {
      for (const auto& object : informer.list()) EXPECT_TRUE(object.contains("metadata"));
      informer.get(ns_.name(), "load-0");
      ++reads;
    }
  });
  for (int i = 0; i < 30; ++i) {
    client_->create(resources::kConfigMaps, ns_.name(),
                    config_map("load-" + std::to_string(i), "load", "x"));
  }
  bool converged = eventually([&] { return informer.size() == 30; });
  done = true;
  reader.join();
  EXPECT_TRUE(converged);
  EXPECT_GT(reads.load(), 0u);
}

TEST_F(InformerTest, PeriodicResyncRedeliversCachedObjects) {
  client_->create(resources::kConfigMaps, ns_.name(), config_map("steady", "resync", "s"));
  InformerOptions options;
  options.ns = ns_.name();
  options.label_selector = "app=resync";
  options.resync_period = 1s;
  Informer informer(*client_, resources::kConfigMaps, options);
  HandlerLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(30s));
  EXPECT_TRUE(eventually([&] { return log.count_containing("update steady s->s resync") >= 2; }));
}

TEST_F(InformerTest, MetadataOnlyInformerHoldsNoSecretData) {
  client_->create(resources::kSecrets, ns_.name(),
                  {{"metadata", {{"name", "token"}}}, {"stringData", {{"t", "top-secret"}}}});
  InformerOptions options;
  options.ns = ns_.name();
  options.metadata_only = true;
  Informer informer(*client_, resources::kSecrets, options);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(30s));
  client_->create(resources::kSecrets, ns_.name(),
                  {{"metadata", {{"name", "later"}}}, {"stringData", {{"t", "also-secret"}}}});
  ASSERT_TRUE(eventually([&] { return informer.get(ns_.name(), "later").has_value(); }));
  for (const auto& object : informer.list()) {
    EXPECT_FALSE(object.contains("data")) << object.dump();
    EXPECT_FALSE(object.contains("stringData"));
  }
}

TEST_F(InformerTest, StopsPromptlyAndCanBeDestroyedWhileWatching) {
  InformerOptions options;
  options.ns = ns_.name();
  options.watch_timeout_seconds = 3600;
  auto informer = std::make_unique<Informer>(*client_, resources::kConfigMaps, options);
  informer->start();
  ASSERT_TRUE(informer->wait_for_sync(30s));
  informer->stop();
  informer->stop();  // idempotent
  informer.reset();  // the destructor after stop has nothing left to join
  SUCCEED();
}

}  // namespace
}  // namespace kubedbt::kube
