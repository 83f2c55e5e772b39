// Decoding JSON into API structs with errors that name the field path, and encoding them back.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/timestamp.h"

namespace kubedbt::api {

using Json = nlohmann::json;

// A value of the wrong JSON type or an unknown enum value, e.g.
// "spec.targets.prod.port: expected an integer, got string".
class DecodeError : public std::runtime_error {
 public:
  DecodeError(std::string path, const std::string& problem)
      : std::runtime_error(path + ": " + problem), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An enum the API spells as strings: specialise with
//   static constexpr std::array<std::pair<E, std::string_view>, N> entries{...};
template <class E>
struct EnumNames;

template <class E>
concept ApiEnum = requires {
  EnumNames<E>::entries;
};

template <ApiEnum E>
std::string_view to_string(E value) {
  for (const auto& [v, name] : EnumNames<E>::entries) {
    if (v == value) return name;
  }
  return "";
}

// "Forbid, Allow, Replace": for messages that list the accepted values.
template <ApiEnum E>
std::string enum_choices() {
  std::string out;
  for (const auto& entry : EnumNames<E>::entries) {
    if (!out.empty()) out += ", ";
    out += entry.second;
  }
  return out;
}

template <ApiEnum E>
std::optional<E> parse_enum(std::string_view text) {
  for (const auto& [v, name] : EnumNames<E>::entries) {
    if (name == text) return v;
  }
  return std::nullopt;
}

std::string child_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);

void decode(const Json& j, const std::string& path, std::string& out);
void decode(const Json& j, const std::string& path, bool& out);
void decode(const Json& j, const std::string& path, std::int32_t& out);
void decode(const Json& j, const std::string& path, std::int64_t& out);
void decode(const Json& j, const std::string& path, double& out);
void decode(const Json& j, const std::string& path, Json& out);
void decode(const Json& j, const std::string& path, Timestamp& out);

template <ApiEnum E>
void decode(const Json& j, const std::string& path, E& out) {
  std::string text;
  decode(j, path, text);
  auto value = parse_enum<E>(text);
  if (!value) {
    throw DecodeError(path, "unknown value \"" + text + "\"; use one of " + enum_choices<E>());
  }
  out = *value;
}

template <class T>
void decode(const Json& j, const std::string& path, std::optional<T>& out) {
  if (j.is_null()) {
    out.reset();
    return;
  }
  T value{};
  decode(j, path, value);
  out = std::move(value);
}

template <class T>
void decode(const Json& j, const std::string& path, std::vector<T>& out) {
  if (!j.is_array()) throw DecodeError(path, std::string("expected a list, got ") + j.type_name());
  out.clear();
  for (std::size_t i = 0; i < j.size(); ++i) {
    T value{};
    decode(j[i], index_path(path, i), value);
    out.push_back(std::move(value));
  }
}

template <class T>
void decode(const Json& j, const std::string& path, std::map<std::string, T>& out) {
  if (!j.is_object()) {
    throw DecodeError(path, std::string("expected an object, got ") + j.type_name());
  }
  out.clear();
  for (const auto& [key, value] : j.items()) {
    T decoded{};
    decode(value, child_path(path, key), decoded);
    out.emplace(key, std::move(decoded));
  }
}

// Reads obj[key] into `out` when present and not null; otherwise `out` keeps its default.
template <class T>
void decode_field(const Json& obj, const std::string& path, std::string_view key, T& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  decode(*it, child_path(path, key), out);
}

// Throws when `j` is not an object (every struct decoder starts with this).
void expect_object(const Json& j, const std::string& path);

Json encode(const std::string& value);
Json encode(bool value);
Json encode(std::int32_t value);
Json encode(std::int64_t value);
Json encode(double value);
Json encode(const Json& value);
Json encode(Timestamp value);

template <ApiEnum E>
Json encode(E value) {
  return std::string(to_string(value));
}

template <class T>
Json encode(const std::vector<T>& values) {
  Json out = Json::array();
  for (const auto& v : values) out.push_back(encode(v));
  return out;
}

template <class T>
Json encode(const std::map<std::string, T>& values) {
  Json out = Json::object();
  for (const auto& [k, v] : values) out[k] = encode(v);
  return out;
}

// Whether a value is left out of the JSON: unset optionals, empty lists, maps and objects.
template <class T>
bool omitted(const T&) {
  return false;
}
template <class T>
bool omitted(const std::optional<T>& v) {
  return !v.has_value();
}
template <class T>
bool omitted(const std::vector<T>& v) {
  return v.empty();
}
template <class T>
bool omitted(const std::map<std::string, T>& v) {
  return v.empty();
}
inline bool omitted(const Json& v) { return v.is_null() || (v.is_object() && v.empty()); }

// Writes obj[key] unless the value is omitted (see `omitted`).
template <class T>
void encode_field(Json& obj, std::string_view key, const T& value) {
  if (omitted(value)) return;
  if constexpr (requires { value.has_value(); }) {
    obj[std::string(key)] = encode(*value);
  } else {
    obj[std::string(key)] = encode(value);
  }
}

}  // namespace kubedbt::api
