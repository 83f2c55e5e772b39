// Primitive decoders and encoders shared by every API struct.
#include "api/json_codec.h"

#include <limits>

namespace kubedbt::api {

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

namespace {

[[noreturn]] void wrong_type(const Json& j, const std::string& path, const char* expected) {
  throw DecodeError(path, std::string("expected ") + expected + ", got " + j.type_name());
}

}  // namespace

void expect_object(const Json& j, const std::string& path) {
  if (!j.is_object()) wrong_type(j, path.empty() ? "<root>" : path, "an object");
}

void decode(const Json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) wrong_type(j, path, "a string");
  out = j.get<std::string>();
}

void decode(const Json& j, const std::string& path, bool& out) {
  if (!j.is_boolean()) wrong_type(j, path, "true or false");
  out = j.get<bool>();
}

void decode(const Json& j, const std::string& path, std::int64_t& out) {
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() &&
        j.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw DecodeError(path, "integer out of range");
    }
    out = j.get<std::int64_t>();
    return;
  }
  // The API server may hand back 3.0 for an integer field written as a float.
  if (j.is_number_float()) {
    double d = j.get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d))) {
      out = static_cast<std::int64_t>(d);
      return;
    }
  }
  wrong_type(j, path, "an integer");
}

void decode(const Json& j, const std::string& path, std::int32_t& out) {
  std::int64_t wide = 0;
  decode(j, path, wide);
  if (wide < std::numeric_limits<std::int32_t>::min() ||
      wide > std::numeric_limits<std::int32_t>::max()) {
    throw DecodeError(path, "integer out of range");
  }
  out = static_cast<std::int32_t>(wide);
}

void decode(const Json& j, const std::string& path, double& out) {
  if (!j.is_number()) wrong_type(j, path, "a number");
  out = j.get<double>();
}

void decode(const Json& j, const std::string&, Json& out) { out = j; }

void decode(const Json& j, const std::string& path, Timestamp& out) {
  std::string text;
  decode(j, path, text);
  auto parsed = parse_timestamp(text);
  if (!parsed) {
    throw DecodeError(path,
                      "\"" + text + "\" is not an RFC 3339 time such as 2026-03-29T06:00:00Z");
  }
  out = *parsed;
}

Json encode(const std::string& value) { return value; }
Json encode(bool value) { return value; }
Json encode(std::int32_t value) { return value; }
Json encode(std::int64_t value) { return value; }
Json encode(double value) { return value; }
Json encode(const Json& value) { return value; }
Json encode(Timestamp value) { return format_timestamp(value); }

}  // namespace kubedbt::api
