// The informer cache and its deltas.
#include "kube/object_store.h"

#include "kube/informer.h"
#include "kube/request_path.h"

namespace kubedbt::kube {

std::string object_key(const Json& object) {
  std::string ns = object_namespace(object);
  std::string name = object_name(object);
  return ns.empty() ? name : ns + "/" + name;
}

std::string resource_version_of(const Json& object) {
  if (!object.is_object()) return "";
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  auto rv = metadata->find("resourceVersion");
  return rv != metadata->end() && rv->is_string() ? rv->get<std::string>() : "";
}

std::vector<Delta> ObjectStore::replace(std::vector<Json> items) {
  std::map<std::string, Json> fresh;
  for (auto& item : items) {
    std::string key = object_key(item);
    fresh.insert_or_assign(std::move(key), std::move(item));
  }
  std::vector<Delta> deltas;
  std::lock_guard lock(mu_);
  auto old_it = objects_.begin();
  auto new_it = fresh.begin();
  while (old_it != objects_.end() || new_it != fresh.end()) {
    if (new_it == fresh.end() || (old_it != objects_.end() && old_it->first < new_it->first)) {
      deltas.push_back({Delta::Kind::Deleted, old_it->second, nullptr});
      ++old_it;
    } else if (old_it == objects_.end() || new_it->first < old_it->first) {
      deltas.push_back({Delta::Kind::Added, nullptr, new_it->second});
      ++new_it;
    } else {
      if (resource_version_of(old_it->second) != resource_version_of(new_it->second)) {
        deltas.push_back({Delta::Kind::Updated, old_it->second, new_it->second});
      }
      ++old_it;
      ++new_it;
    }
  }
  objects_ = std::move(fresh);
  return deltas;
}

std::optional<Delta> ObjectStore::apply(const WatchEvent& event) {
  if (event.type != WatchEvent::Type::Added && event.type != WatchEvent::Type::Modified &&
      event.type != WatchEvent::Type::Deleted) {
    return std::nullopt;
  }
  std::string key = object_key(event.object);
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (event.type == WatchEvent::Type::Deleted) {
    if (it == objects_.end()) return Delta{Delta::Kind::Deleted, event.object, nullptr};
    Delta delta{Delta::Kind::Deleted, std::move(it->second), nullptr};
    objects_.erase(it);
    return delta;
  }
  if (it == objects_.end()) {
    objects_.emplace(key, event.object);
    return Delta{Delta::Kind::Added, nullptr, event.object};
  }
  Delta delta{Delta::Kind::Updated, it->second, event.object};
  it->second = event.object;
  return delta;
}

std::optional<Json> ObjectStore::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<Json> ObjectStore::list() const {
  std::lock_guard lock(mu_);
  std::vector<Json> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) out.push_back(object);
  return out;
}

std::size_t ObjectStore::size() const {
  std::lock_guard lock(mu_);
  return objects_.size();
}

}  // namespace kubedbt::kube
