// The libpq connection string of a target, for every session the runner opens on its database.
#pragma once

#include <string>

#include "runner/spec/target_spec.h"

namespace kubedbt::runner {

// libpq connection string for the target; values are quoted, so a password may hold anything.
// Never log its result.
std::string connection_string(const TargetSpec& target, const std::string& password,
                              const std::string& application_name);

}  // namespace kubedbt::runner
