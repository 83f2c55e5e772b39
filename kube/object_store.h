// The informer's cache: objects by "ns/name", and the change each list or watch event makes to it.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kube/client.h"

namespace kubedbt::kube {

// One change to the cache, as handlers see it.
struct Delta {
  enum class Kind { Added, Updated, Deleted };
  Kind kind;
  Json old_object;  // Updated, Deleted: the state before (for Deleted, the last known state)
  Json new_object;  // Added, Updated: the state after
};

// Thread-safe: the informer thread writes, any thread reads.
class ObjectStore {
 public:
  // Makes the store hold exactly `items` (a fresh list) and returns the difference, in key order:
  // new keys are Added, keys whose resourceVersion changed are Updated, vanished keys are Deleted.
  std::vector<Delta> replace(std::vector<Json> items);
  // Applies one ADDED / MODIFIED / DELETED event. An ADDED of a known key is an update, a MODIFIED
  // of an unknown key an add; a DELETED of an unknown key still yields a delta carrying the event's
  // object. Bookmarks and errors change nothing (nullopt).
  std::optional<Delta> apply(const WatchEvent& event);

  std::optional<Json> get(const std::string& key) const;
  std::vector<Json> list() const;
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Json> objects_;
};

// metadata.resourceVersion of an object, "" when absent.
std::string resource_version_of(const Json& object);

}  // namespace kubedbt::kube
