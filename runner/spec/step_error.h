// StepError: the base of every step's own error; the run ends Failed with the step's message.
#pragma once

#include <stdexcept>

namespace kubedbt::runner {

// A failure of a step before or around dbt; its message is the whole story.
class StepError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace kubedbt::runner
