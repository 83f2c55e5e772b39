// The error of a run spec or targets file that is not what the runner accepts, naming the field.
#pragma once

#include <stdexcept>
#include <string>

namespace kubedbt::runner {

class SpecError : public std::runtime_error {
 public:
  SpecError(const std::string& field, const std::string& problem)
      : std::runtime_error(field + ": " + problem), field_(field) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

}  // namespace kubedbt::runner
