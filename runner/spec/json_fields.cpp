// Typed, path-reporting reads of JSON object fields.
#include "runner/spec/json_fields.h"

#include <algorithm>
#include <sstream>

namespace kubedbt::runner {
namespace {

const char* type_name(const nlohmann::json& v) { return v.type_name(); }

}  // namespace

JsonFields::JsonFields(const nlohmann::json& object, std::string path)
    : object_(object), path_(std::move(path)) {
  if (!object_.is_object()) {
    throw SpecError(path_, std::string("must be an object, got ") + type_name(object_));
  }
}

std::string JsonFields::path_of(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool JsonFields::has(const std::string& key) const { return find(key) != nullptr; }

const nlohmann::json* JsonFields::find(const std::string& key) const {
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string JsonFields::required_string(const std::string& key) const {
  auto value = optional_string(key);
  if (!value) throw SpecError(path_of(key), "is required");
  return *value;
}

std::optional<std::string> JsonFields::optional_string(const std::string& key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    throw SpecError(path_of(key), std::string("must be a string, got ") + type_name(*v));
  }
  auto s = v->get<std::string>();
  if (s.empty()) throw SpecError(path_of(key), "must not be empty");
  return s;
}

std::optional<int64_t> JsonFields::optional_int(const std::string& key, int64_t min,
                                                int64_t max) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    throw SpecError(path_of(key), std::string("must be an integer, got ") + type_name(*v));
  }
  auto n = v->get<int64_t>();
  if (n < min || n > max) {
    throw SpecError(path_of(key), "must be between " + std::to_string(min) + " and " +
                                      std::to_string(max) + ", got " + std::to_string(n));
  }
  return n;
}

std::optional<bool> JsonFields::optional_bool(const std::string& key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    throw SpecError(path_of(key), std::string("must be true or false, got ") + type_name(*v));
  }
  return v->get<bool>();
}

std::vector<std::string> JsonFields::optional_words(const std::string& key) const {
  const auto* v = find(key);
  std::vector<std::string> words;
  if (!v) return words;
  if (v->is_string()) {
    std::istringstream in(v->get<std::string>());
    for (std::string w; in >> w;) words.push_back(w);
    return words;
  }
  if (!v->is_array()) {
    throw SpecError(path_of(key),
                    std::string("must be a string or a list of strings, got ") + type_name(*v));
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    if (!item.is_string() || item.get<std::string>().empty()) {
      throw SpecError(path_of(key) + "[" + std::to_string(i) + "]", "must be a non-empty string");
    }
    words.push_back(item.get<std::string>());
  }
  return words;
}

std::optional<double> JsonFields::optional_number(const std::string& key, double min,
                                                  double max) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    throw SpecError(path_of(key), std::string("must be a number, got ") + type_name(*v));
  }
  auto n = v->get<double>();
  if (n < min || n > max) {
    throw SpecError(path_of(key), "must be between " + std::to_string(min) + " and " +
                                      std::to_string(max) + ", got " + std::to_string(n));
  }
  return n;
}

JsonFields JsonFields::object(const std::string& key) const {
  const auto* v = find(key);
  if (!v) return JsonFields(nlohmann::json::object(), path_of(key));
  return JsonFields(*v, path_of(key));
}

void JsonFields::only(const std::vector<std::string>& known) const {
  for (const auto& [key, _] : object_.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw SpecError(path_of(key), "unknown field (known: " + list + ")");
    }
  }
}

}  // namespace kubedbt::runner
