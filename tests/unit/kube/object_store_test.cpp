// Tests of the informer cache: keys, the diff a relist delivers, and how watch events apply.
#include "kube/object_store.h"

#include <gtest/gtest.h>

#include "kube/informer.h"

namespace kubedbt::kube {
namespace {

Json object(const std::string& ns, const std::string& name, const std::string& rv) {
  Json metadata = {{"name", name}, {"resourceVersion", rv}};
  if (!ns.empty()) metadata["namespace"] = ns;
  return {{"metadata", metadata}};
}

std::string describe(const Delta& delta) {
  switch (delta.kind) {
    case Delta::Kind::Added:
      return "add " + object_key(delta.new_object);
    case Delta::Kind::Updated:
      return "update " + object_key(delta.new_object) + " " +
             resource_version_of(delta.old_object) + "->" + resource_version_of(delta.new_object);
    case Delta::Kind::Deleted:
      return "delete " + object_key(delta.old_object);
  }
  return "";
}

std::vector<std::string> describe(const std::vector<Delta>& deltas) {
  std::vector<std::string> out;
  for (const auto& delta : deltas) out.push_back(describe(delta));
  return out;
}

TEST(ObjectKeyTest, NamespacedAndClusterScoped) {
  EXPECT_EQ(object_key(object("ns", "a", "1")), "ns/a");
  EXPECT_EQ(object_key(object("", "node-1", "1")), "node-1");
}

TEST(ObjectStoreTest, FirstReplaceAddsEverything) {
  ObjectStore store;
  auto deltas = store.replace({object("n", "b", "1"), object("n", "a", "1")});
  EXPECT_EQ(describe(deltas), (std::vector<std::string>{"add n/a", "add n/b"}));
  EXPECT_EQ(store.size(), 2u);
}

TEST(ObjectStoreTest, RelistDeliversTheDifference) {
  ObjectStore store;
  store.replace({object("n", "kept", "1"), object("n", "changed", "1"), object("n", "gone", "1")});
  auto deltas = store.replace(
      {object("n", "kept", "1"), object("n", "changed", "7"), object("n", "new", "8")});
  EXPECT_EQ(describe(deltas),
            (std::vector<std::string>{"update n/changed 1->7", "delete n/gone", "add n/new"}));
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.get("n/gone"));
  EXPECT_EQ(resource_version_of(*store.get("n/changed")), "7");
}

TEST(ObjectStoreTest, WatchEventsApply) {
  ObjectStore store;
  auto added = store.apply({WatchEvent::Type::Added, object("n", "a", "1")});
  ASSERT_TRUE(added);
  EXPECT_EQ(describe(*added), "add n/a");
  auto modified = store.apply({WatchEvent::Type::Modified, object("n", "a", "2")});
  EXPECT_EQ(describe(*modified), "update n/a 1->2");
  auto deleted = store.apply({WatchEvent::Type::Deleted, object("n", "a", "3")});
  EXPECT_EQ(describe(*deleted), "delete n/a");
  EXPECT_EQ(resource_version_of(deleted->old_object), "2");  // the last known state
  EXPECT_EQ(store.size(), 0u);
}

TEST(ObjectStoreTest, OutOfOrderEventsStayConsistent) {
  ObjectStore store;
  store.replace({object("n", "a", "1")});
  EXPECT_EQ(describe(*store.apply({WatchEvent::Type::Added, object("n", "a", "2")})),
            "update n/a 1->2");
  EXPECT_EQ(describe(*store.apply({WatchEvent::Type::Modified, object("n", "b", "3")})), "add n/b");
  auto unknown_delete = store.apply({WatchEvent::Type::Deleted, object("n", "c", "4")});
  ASSERT_TRUE(unknown_delete);
  EXPECT_EQ(describe(*unknown_delete), "delete n/c");
  EXPECT_EQ(store.size(), 2u);
}

TEST(ObjectStoreTest, BookmarksAndErrorsChangeNothing) {
  ObjectStore store;
  EXPECT_FALSE(store.apply({WatchEvent::Type::Bookmark, object("", "", "9")}));
  EXPECT_FALSE(store.apply({WatchEvent::Type::Error, Json{{"code", 410}}}));
  EXPECT_EQ(store.size(), 0u);
}

TEST(ObjectStoreTest, ListIsInKeyOrder) {
  ObjectStore store;
  store.replace({object("b", "x", "1"), object("a", "y", "1")});
  auto all = store.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(object_key(all[0]), "a/y");
  EXPECT_EQ(object_key(all[1]), "b/x");
}

}  // namespace
}  // namespace kubedbt::kube
