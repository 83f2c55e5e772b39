// Status conditions as the Kubernetes API conventions define them, and the helpers that set them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/json_codec.h"

namespace kubedbt::api {

enum class ConditionStatus { True, False, Unknown };
template <>
struct EnumNames<ConditionStatus> {
  static constexpr std::array<std::pair<ConditionStatus, std::string_view>, 3> entries{{
      {ConditionStatus::True, "True"},
      {ConditionStatus::False, "False"},
      {ConditionStatus::Unknown, "Unknown"},
  }};
};

// One observation: `type` is the question ("Ready"), `status` the answer, `reason` a CamelCase
// word for machines, `message` a sentence for people.
struct Condition {
  std::string type;
  ConditionStatus status = ConditionStatus::Unknown;
  std::string reason;
  std::string message;
  std::int64_t observed_generation = 0;
  Timestamp last_transition_time{};

  bool operator==(const Condition&) const = default;
};

void decode(const Json& j, const std::string& path, Condition& out);
Json encode(const Condition& c);

// Condition types used by the three kinds.
namespace condition_type {
inline constexpr std::string_view kReady = "Ready";  // DbtProject, DbtSchedule
// DbtProject: the admission policy lists who may start runs on each protected target.
inline constexpr std::string_view kProtectedTargetsGuarded = "ProtectedTargetsGuarded";
inline constexpr std::string_view kSucceeded = "Succeeded";  // DbtRun: finished well
inline constexpr std::string_view kComplete = "Complete";    // DbtRun: finished at all
}  // namespace condition_type

// A condition as the reconcilers state it; lastTransitionTime is set_condition's to fill.
Condition make_condition(std::string_view type, ConditionStatus status, std::string_view reason,
                         std::string message, std::int64_t observed_generation);

// A list of conditions as the JSON array a status patch carries.
Json encode_conditions(const std::vector<Condition>& conditions);

const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type);
bool is_condition_true(const std::vector<Condition>& conditions, std::string_view type);

// Adds or updates the condition of `desired.type`. lastTransitionTime becomes `now` only when
// the status changes (or the condition is new); reason, message and observedGeneration are
// always refreshed. Returns whether anything changed, so callers skip no-op status writes.
bool set_condition(std::vector<Condition>& conditions, Condition desired, Timestamp now);

// Removes the condition of `type`; returns whether one was there.
bool remove_condition(std::vector<Condition>& conditions, std::string_view type);

}  // namespace kubedbt::api
