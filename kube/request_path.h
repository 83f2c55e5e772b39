// Builds the path, query string, headers and bodies of API requests (pure functions, unit-tested).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kube/client.h"

namespace kubedbt::kube {

// Percent-encodes a query component: everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);

// An ordered query string; empty values are dropped, so optional parameters can be added blindly.
class Query {
 public:
  Query& add(std::string key, std::string value);
  Query& add(std::string key, bool value);
  Query& add(std::string key, int64_t value);
  // "" or "?k=v&k2=v2", each value percent-encoded.
  std::string str() const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// Accept headers: plain JSON, or PartialObjectMetadata(List) so the server strips everything but
// metadata (a Secret's data never leaves the API server).
inline constexpr const char* kAcceptJson = "application/json";
inline constexpr const char* kAcceptMetadata =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
inline constexpr const char* kAcceptMetadataList =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

inline constexpr const char* kContentJson = "application/json";
inline constexpr const char* kContentMergePatch = "application/merge-patch+json";
inline constexpr const char* kContentApplyPatch = "application/apply-patch+yaml";

std::string list_path(const Resource& r, const std::string& ns, const ListOptions& opts);
std::string watch_path(const Resource& r, const std::string& ns, const WatchOptions& opts);
std::string apply_path(const Resource& r, const std::string& ns, const std::string& name,
                       const ApplyOptions& opts, const std::string& subresource);

// The metav1.DeleteOptions body, or null when no option is set.
Json delete_options_body(const DeleteOptions& opts);

// metadata.name / metadata.namespace of an object, "" when absent.
std::string object_name(const Json& object);
std::string object_namespace(const Json& object);

}  // namespace kubedbt::kube
