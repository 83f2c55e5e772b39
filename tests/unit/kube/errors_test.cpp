// Tests of error mapping: a Status (JSON or bare HTTP code) becomes the matching ApiError subclass.
#include "kube/errors.h"

#include <gtest/gtest.h>

#include <functional>
#include <typeinfo>

namespace kubedbt::kube {
namespace {

const std::string kOperation = "GET /api/v1/namespaces/a/configmaps/b";

nlohmann::json status_json(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
          {"code", code},     {"reason", reason},   {"message", message}};
}

// Throws the mapped error and returns its dynamic type name and what().
std::pair<std::string, std::string> mapped(const Status& status) {
  try {
    throw_api_error(kOperation, status);
  } catch (const ApiError& e) {
    return {typeid(e).name(), e.what()};
  }
  return {};
}

template <typename Expected>
void expect_maps_to(int code, const std::string& reason) {
  Status status = Status::from_json(status_json(code, reason, "m"), code);
  EXPECT_EQ(mapped(status).first, typeid(Expected).name()) << code << " " << reason;
}

TEST(ErrorsTest, CodesMapToTheirTypes) {
  expect_maps_to<BadRequest>(400, "BadRequest");
  expect_maps_to<Unauthorized>(401, "Unauthorized");
  expect_maps_to<Forbidden>(403, "Forbidden");
  expect_maps_to<NotFound>(404, "NotFound");
  expect_maps_to<AlreadyExists>(409, "AlreadyExists");
  expect_maps_to<Conflict>(409, "Conflict");
  expect_maps_to<Gone>(410, "Expired");
  expect_maps_to<Gone>(410, "Gone");
  expect_maps_to<Invalid>(422, "Invalid");
  expect_maps_to<TooManyRequests>(429, "TooManyRequests");
  expect_maps_to<Timeout>(408, "Timeout");
  expect_maps_to<Timeout>(504, "Timeout");
  expect_maps_to<Timeout>(500, "ServerTimeout");
  expect_maps_to<ServerError>(500, "InternalError");
  expect_maps_to<ServerError>(503, "ServiceUnavailable");
}

TEST(ErrorsTest, ConflictOtherThanAlreadyExistsIsConflict) {
  // An SSA field-manager conflict and a stale resourceVersion both come back as 409 Conflict.
  expect_maps_to<Conflict>(409, "");
}

TEST(ErrorsTest, ReasonDecidesWhenTheCodeIsUnknown) {
  expect_maps_to<Gone>(0, "Expired");
  expect_maps_to<NotFound>(0, "NotFound");
  expect_maps_to<ServerError>(0, "SomethingNew");
}

TEST(ErrorsTest, SubclassesAreCatchableAsApiError) {
  EXPECT_THROW(throw_api_error(kOperation, Status{404, "NotFound", "x", {}}), NotFound);
  EXPECT_THROW(throw_api_error(kOperation, Status{404, "NotFound", "x", {}}), ApiError);
  EXPECT_THROW(throw_api_error(kOperation, Status{404, "NotFound", "x", {}}), std::runtime_error);
}

TEST(ErrorsTest, WhatNamesOperationCodeReasonAndMessage) {
  Status status =
      Status::from_json(status_json(404, "NotFound", "configmaps \"b\" not found"), 404);
  try {
    throw_api_error(kOperation, status);
  } catch (const NotFound& e) {
    EXPECT_STREQ(e.what(),
                 "GET /api/v1/namespaces/a/configmaps/b: 404 NotFound: configmaps \"b\" not found");
    EXPECT_EQ(e.operation(), kOperation);
    EXPECT_EQ(e.code(), 404);
    EXPECT_EQ(e.reason(), "NotFound");
  }
}

TEST(ErrorsTest, InvalidCarriesItsCauses) {
  nlohmann::json body = status_json(422, "Invalid", "ConfigMap \"Bad\" is invalid");
  body["details"] = {
      {"name", "Bad"},
      {"kind", "ConfigMap"},
      {"causes",
       {{{"reason", "FieldValueInvalid"},
         {"message", "Invalid value: \"Bad\": must be lower case"},
         {"field", "metadata.name"}},
        {{"reason", "FieldValueRequired"}, {"message", "Required value"}, {"field", "data"}}}}};
  Status status = Status::from_json(body, 422);
  try {
    throw_api_error("POST /api/v1/namespaces/a/configmaps", status);
    FAIL() << "nothing thrown";
  } catch (const Invalid& e) {
    ASSERT_EQ(e.status().causes.size(), 2u);
    EXPECT_EQ(e.status().causes[0].field, "metadata.name");
    EXPECT_EQ(e.status().causes[0].reason, "FieldValueInvalid");
    EXPECT_EQ(e.status().causes[1].message, "Required value");
  }
}

TEST(ErrorsTest, BareHttpErrorGetsASynthesisedStatus) {
  Status status = Status::from_json(nlohmann::json("upstream connect error"), 503);
  EXPECT_EQ(status.code, 503);
  EXPECT_EQ(status.reason, "ServiceUnavailable");
  EXPECT_EQ(status.message, "upstream connect error");
  auto [type, what] = mapped(status);
  EXPECT_EQ(type, typeid(ServerError).name());

  Status empty = Status::from_json(nlohmann::json(), 403);
  EXPECT_EQ(empty.reason, "Forbidden");
  EXPECT_FALSE(empty.message.empty());
}

TEST(ErrorsTest, StatusCodeInBodyWinsOverTheFallback) {
  // A watch ERROR event carries its own code; the caller's fallback is only used when absent.
  Status status = Status::from_json(status_json(410, "Expired", "too old resource version"), 500);
  EXPECT_EQ(status.code, 410);
  EXPECT_EQ(mapped(status).first, typeid(Gone).name());
  Status without_code = Status::from_json({{"reason", "InternalError"}, {"message", "m"}}, 500);
  EXPECT_EQ(without_code.code, 500);
}

TEST(ErrorsTest, MalformedCausesAreSkipped) {
  nlohmann::json body = status_json(422, "Invalid", "m");
  body["details"] = {{"causes", {1, "x", {{"field", "spec"}}}}};
  Status status = Status::from_json(body, 422);
  ASSERT_EQ(status.causes.size(), 1u);
  EXPECT_EQ(status.causes[0].field, "spec");
}

TEST(ErrorsTest, TransportErrorNamesOperationAndCause) {
  TransportError error("GET /api", "Connection refused");
  EXPECT_STREQ(error.what(), "GET /api: Connection refused");
}

}  // namespace
}  // namespace kubedbt::kube
