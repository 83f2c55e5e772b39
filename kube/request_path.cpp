// Request paths, query strings and bodies of the API verbs.
#include "kube/request_path.h"

namespace kubedbt::kube {

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

Query& Query::add(std::string key, std::string value) {
  if (!value.empty()) params_.emplace_back(std::move(key), std::move(value));
  return *this;
}

Query& Query::add(std::string key, bool value) {
  return value ? add(std::move(key), std::string("true")) : *this;
}

Query& Query::add(std::string key, int64_t value) {
  return value > 0 ? add(std::move(key), std::to_string(value)) : *this;
}

std::string Query::str() const {
  std::string out;
  for (const auto& [key, value] : params_) {
    out += out.empty() ? "?" : "&";
    out += percent_encode(key) + "=" + percent_encode(value);
  }
  return out;
}

std::string list_path(const Resource& r, const std::string& ns, const ListOptions& opts) {
  return r.collection_path(ns) + Query()
                                     .add("labelSelector", opts.label_selector)
                                     .add("fieldSelector", opts.field_selector)
                                     .add("limit", opts.limit)
                                     .add("continue", opts.continue_token)
                                     .add("resourceVersion", opts.resource_version)
                                     .str();
}

std::string watch_path(const Resource& r, const std::string& ns, const WatchOptions& opts) {
  return r.collection_path(ns) + Query()
                                     .add("watch", true)
                                     .add("labelSelector", opts.label_selector)
                                     .add("fieldSelector", opts.field_selector)
                                     .add("resourceVersion", opts.resource_version)
                                     .add("allowWatchBookmarks", opts.allow_bookmarks)
                                     .add("timeoutSeconds", int64_t{opts.timeout_seconds})
                                     .str();
}

std::string apply_path(const Resource& r, const std::string& ns, const std::string& name,
                       const ApplyOptions& opts, const std::string& subresource) {
  return r.object_path(ns, name, subresource) +
         Query().add("fieldManager", opts.field_manager).add("force", opts.force).str();
}

Json delete_options_body(const DeleteOptions& opts) {
  Json body = Json::object();
  if (opts.propagation_policy) body["propagationPolicy"] = *opts.propagation_policy;
  if (opts.grace_period_seconds) body["gracePeriodSeconds"] = *opts.grace_period_seconds;
  if (opts.precondition_uid) body["preconditions"]["uid"] = *opts.precondition_uid;
  if (opts.precondition_resource_version) {
    body["preconditions"]["resourceVersion"] = *opts.precondition_resource_version;
  }
  if (body.empty()) return nullptr;
  body["kind"] = "DeleteOptions";
  body["apiVersion"] = "v1";
  return body;
}

namespace {
std::string metadata_string(const Json& object, const char* key) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  auto value = metadata->find(key);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : "";
}
}  // namespace

std::string object_name(const Json& object) {
  return object.is_object() ? metadata_string(object, "name") : "";
}

std::string object_namespace(const Json& object) {
  return object.is_object() ? metadata_string(object, "namespace") : "";
}

}  // namespace kubedbt::kube
