// The Kubernetes API as the project uses it: verbs on any resource, watch, server-side apply.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "kube/config.h"
#include "kube/resource.h"

namespace kubedbt::kube {

using Json = nlohmann::json;

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;           // 0 = no paging; otherwise the server returns at most this many
  std::string continue_token;  // from the previous page's metadata.continue
  std::string resource_version;
  bool metadata_only = false;  // PartialObjectMetadataList: never transfers Secret data
};

// One page of a list: the items, and where the collection was read.
struct ListResult {
  std::vector<Json> items;
  std::string resource_version;
  std::string continue_token;  // empty when this was the last page
};

struct GetOptions {
  bool metadata_only = false;
};

struct DeleteOptions {
  std::optional<std::string> propagation_policy;  // "Foreground", "Background", "Orphan"
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::optional<int64_t> grace_period_seconds;
};

struct ApplyOptions {
  std::string field_manager = "kubedbt";
  bool force = false;
};

struct WatchOptions {
  std::string resource_version;  // start after this version ("" = from now, after a synthetic list)
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  // The server closes the stream after this; the client tolerates silence a little longer.
  int timeout_seconds = 300;
  bool metadata_only = false;
};

// One frame of a watch stream.
struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type;
  Json object;  // the object; for Error, the metav1.Status
};

const char* to_string(WatchEvent::Type type);

// What a watch handler answers: keep reading or close the stream.
enum class WatchControl { Continue, Stop };

// A client of one API server. Methods are thread-safe; connections are pooled and reused.
// Every method throws an ApiError subclass (kube/errors.h) for an API failure and TransportError
// when the server cannot be reached.
class Client {
 public:
  virtual ~Client() = default;

  virtual Json get(const Resource& r, const std::string& ns, const std::string& name,
                   const GetOptions& opts = {}) = 0;
  virtual ListResult list(const Resource& r, const std::string& ns,
                          const ListOptions& opts = {}) = 0;
  // Follows continue tokens until the collection is read whole, `page_size` items per request.
  virtual ListResult list_all(const Resource& r, const std::string& ns, ListOptions opts = {},
                              int64_t page_size = 500) = 0;
  virtual Json create(const Resource& r, const std::string& ns, const Json& object,
                      const std::string& subresource = "", const std::string& name = "") = 0;
  // PUT; the object's metadata.resourceVersion makes it conditional (Conflict when stale).
  virtual Json update(const Resource& r, const std::string& ns, const Json& object,
                      const std::string& subresource = "") = 0;
  virtual Json update_status(const Resource& r, const std::string& ns, const Json& object) {
    return update(r, ns, object, "status");
  }
  virtual Json merge_patch(const Resource& r, const std::string& ns, const std::string& name,
                           const Json& patch, const std::string& subresource = "") = 0;
  // Server-side apply (application/apply-patch+yaml with a JSON body).
  virtual Json apply(const Resource& r, const std::string& ns, const Json& object,
                     const ApplyOptions& opts, const std::string& subresource = "") = 0;
  // Returns the server's answer (the object, or a Status when it was removed at once).
  virtual Json remove(const Resource& r, const std::string& ns, const std::string& name,
                      const DeleteOptions& opts = {}) = 0;

  // Streams events to `on_event` until the server closes the stream, the handler returns Stop,
  // or `stop` is requested. Returns the last resourceVersion seen (bookmarks included), so the
  // caller can resume. A 410 Gone (as HTTP status or as an ERROR event) throws Gone; any other
  // ERROR event throws the ApiError subclass of its Status; an exception from `on_event`
  // propagates.
  virtual std::string watch(const Resource& r, const std::string& ns, const WatchOptions& opts,
                            const std::function<WatchControl(const WatchEvent&)>& on_event,
                            std::stop_token stop = {}) = 0;

  // A raw request for what the verbs do not cover (discovery, /healthz). Throws like the verbs.
  virtual Json request(const std::string& method, const std::string& path_and_query,
                       const std::optional<Json>& body = std::nullopt,
                       const std::string& content_type = "application/json") = 0;

  virtual const Config& config() const = 0;
};

// The real client over HTTPS (cpprestsdk).
std::unique_ptr<Client> make_client(const Config& config);

}  // namespace kubedbt::kube
