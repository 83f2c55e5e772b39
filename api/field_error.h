// A validation problem: the field path it is about and a message that names it and the fix.
#pragma once

#include <string>
#include <vector>

namespace kubedbt::api {

struct FieldError {
  std::string field;    // "spec.targets.prod.port"
  std::string message;  // starts with the field path and says how to fix the value
  bool operator==(const FieldError&) const = default;
};

using FieldErrors = std::vector<FieldError>;

// The messages joined by "; ", for a condition message or an exception.
std::string join_messages(const FieldErrors& errors);

}  // namespace kubedbt::api
