// Typed reads of JSON object fields that throw SpecError naming the field's full path.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runner/spec/spec_error.h"

namespace kubedbt::runner {

// A JSON object together with its path in the document ("spec.target").
class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string path);

  std::string path_of(const std::string& key) const;
  bool has(const std::string& key) const;
  const nlohmann::json* find(const std::string& key) const;

  std::string required_string(const std::string& key) const;
  std::optional<std::string> optional_string(const std::string& key) const;
  std::optional<int64_t> optional_int(const std::string& key, int64_t min, int64_t max) const;
  std::optional<bool> optional_bool(const std::string& key) const;
  std::optional<double> optional_number(const std::string& key, double min, double max) const;
  // A string of space-separated words or an array of strings.
  std::vector<std::string> optional_words(const std::string& key) const;
  // A nested object ({} when absent).
  JsonFields object(const std::string& key) const;
  // Refuses keys outside `known`, so a typo is an error rather than silently ignored.
  void only(const std::vector<std::string>& known) const;

  const nlohmann::json& json() const { return object_; }
  const std::string& path() const { return path_; }

 private:
  nlohmann::json object_;
  std::string path_;
};

}  // namespace kubedbt::runner
