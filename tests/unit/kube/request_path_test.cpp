// Tests of request building: query strings (selectors encoded), paging, watch, apply, delete
// bodies.
#include "kube/request_path.h"

#include <gtest/gtest.h>

namespace kubedbt::kube {
namespace {

TEST(PercentEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(percent_encode("abc-XYZ_0.9~"), "abc-XYZ_0.9~");
  EXPECT_EQ(percent_encode("app in (a,b)"), "app%20in%20%28a%2Cb%29");
  EXPECT_EQ(percent_encode("tier!=web,env=prod"), "tier%21%3Dweb%2Cenv%3Dprod");
  EXPECT_EQ(percent_encode("a/b?c&d#e+f"), "a%2Fb%3Fc%26d%23e%2Bf");
  EXPECT_EQ(percent_encode("\xc3\xa9"), "%C3%A9");  // UTF-8 bytes, upper-case hex
}

TEST(QueryTest, DropsUnsetValues) {
  EXPECT_EQ(Query().str(), "");
  EXPECT_EQ(Query().add("a", std::string()).add("b", false).add("c", int64_t{0}).str(), "");
  EXPECT_EQ(Query().add("a", std::string("1")).add("b", true).add("c", int64_t{5}).str(),
            "?a=1&b=true&c=5");
}

TEST(ListPathTest, PlainList) {
  EXPECT_EQ(list_path(resources::kConfigMaps, "ns", {}), "/api/v1/namespaces/ns/configmaps");
}

TEST(ListPathTest, SelectorsAreEncoded) {
  ListOptions opts;
  opts.label_selector = "app=web,tier in (a,b),!legacy";
  opts.field_selector = "metadata.name=x";
  EXPECT_EQ(list_path(resources::kPods, "ns", opts),
            "/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29%2C%"
            "21legacy&fieldSelector=metadata.name%3Dx");
}

TEST(ListPathTest, PagingParameters) {
  ListOptions opts;
  opts.limit = 500;
  opts.continue_token = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzfQ==";
  EXPECT_EQ(list_path(resources::kSecrets, "", opts),
            "/api/v1/secrets?limit=500&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzfQ%3D%3D");
  ListOptions at_version;
  at_version.resource_version = "0";
  EXPECT_EQ(list_path(resources::kSecrets, "", at_version), "/api/v1/secrets?resourceVersion=0");
}

TEST(WatchPathTest, AllParameters) {
  WatchOptions opts;
  opts.resource_version = "12345";
  opts.label_selector = "app=web";
  opts.timeout_seconds = 60;
  EXPECT_EQ(watch_path(resources::kJobs, "ci", opts),
            "/apis/batch/v1/namespaces/ci/jobs?watch=true&labelSelector=app%3Dweb&"
            "resourceVersion=12345&allowWatchBookmarks=true&timeoutSeconds=60");
}

TEST(WatchPathTest, WithoutBookmarksOrTimeout) {
  WatchOptions opts;
  opts.allow_bookmarks = false;
  opts.timeout_seconds = 0;
  EXPECT_EQ(watch_path(resources::kNodes, "", opts), "/api/v1/nodes?watch=true");
}

TEST(ApplyPathTest, FieldManagerAndForce) {
  ApplyOptions opts;
  opts.field_manager = "kubedbt-operator";
  EXPECT_EQ(apply_path(resources::kConfigMaps, "ns", "cm", opts, ""),
            "/api/v1/namespaces/ns/configmaps/cm?fieldManager=kubedbt-operator");
  opts.force = true;
  Resource runs{"kubedbt.io", "v1alpha1", "dbtruns", true};
  EXPECT_EQ(apply_path(runs, "ns", "r", opts, "status"),
            "/apis/kubedbt.io/v1alpha1/namespaces/ns/dbtruns/r/status?"
            "fieldManager=kubedbt-operator&force=true");
}

TEST(DeleteOptionsTest, NoOptionsMeansNoBody) { EXPECT_TRUE(delete_options_body({}).is_null()); }

TEST(DeleteOptionsTest, AllOptions) {
  DeleteOptions opts;
  opts.propagation_policy = "Foreground";
  opts.grace_period_seconds = 0;
  opts.precondition_uid = "1234-abcd";
  opts.precondition_resource_version = "77";
  Json expected = {{"kind", "DeleteOptions"},
                   {"apiVersion", "v1"},
                   {"propagationPolicy", "Foreground"},
                   {"gracePeriodSeconds", 0},
                   {"preconditions", {{"uid", "1234-abcd"}, {"resourceVersion", "77"}}}};
  EXPECT_EQ(delete_options_body(opts), expected);
}

TEST(ObjectFieldsTest, NameAndNamespace) {
  Json object = {{"metadata", {{"name", "a"}, {"namespace", "b"}}}};
  EXPECT_EQ(object_name(object), "a");
  EXPECT_EQ(object_namespace(object), "b");
  EXPECT_EQ(object_name(Json::object()), "");
  EXPECT_EQ(object_name(Json({{"metadata", 3}})), "");
  EXPECT_EQ(object_namespace(Json("text")), "");
}

TEST(AcceptHeaderTest, MetadataOnlyMediaTypes) {
  EXPECT_STREQ(kAcceptMetadataList,
               "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
  EXPECT_STREQ(kAcceptMetadata, "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
  EXPECT_STREQ(kContentApplyPatch, "application/apply-patch+yaml");
}

}  // namespace
}  // namespace kubedbt::kube
