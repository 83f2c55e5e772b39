// Condition JSON and the set/find helpers with API-convention transition semantics.
#include "api/condition.h"

#include <algorithm>

namespace kubedbt::api {

void decode(const Json& j, const std::string& path, Condition& out) {
  expect_object(j, path);
  out = Condition{};
  decode_field(j, path, "type", out.type);
  decode_field(j, path, "status", out.status);
  decode_field(j, path, "reason", out.reason);
  decode_field(j, path, "message", out.message);
  decode_field(j, path, "observedGeneration", out.observed_generation);
  decode_field(j, path, "lastTransitionTime", out.last_transition_time);
}

Json encode(const Condition& c) {
  Json out = Json::object();
  out["type"] = c.type;
  out["status"] = encode(c.status);
  out["reason"] = c.reason;
  out["message"] = c.message;
  out["observedGeneration"] = c.observed_generation;
  out["lastTransitionTime"] = encode(c.last_transition_time);
  return out;
}

const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

bool is_condition_true(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* c = find_condition(conditions, type);
  return c != nullptr && c->status == ConditionStatus::True;
}

Condition make_condition(std::string_view type, ConditionStatus status, std::string_view reason,
                         std::string message, std::int64_t observed_generation) {
  Condition c;
  c.type = std::string(type);
  c.status = status;
  c.reason = std::string(reason);
  c.message = std::move(message);
  c.observed_generation = observed_generation;
  return c;
}

Json encode_conditions(const std::vector<Condition>& conditions) {
  Json out = Json::array();
  for (const auto& c : conditions) out.push_back(encode(c));
  return out;
}

bool set_condition(std::vector<Condition>& conditions, Condition desired, Timestamp now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == desired.type; });
  if (it == conditions.end()) {
    desired.last_transition_time = now;
    conditions.push_back(std::move(desired));
    return true;
  }
  desired.last_transition_time = it->status == desired.status ? it->last_transition_time : now;
  if (*it == desired) return false;
  *it = std::move(desired);
  return true;
}

bool remove_condition(std::vector<Condition>& conditions, std::string_view type) {
  auto removed = std::erase_if(conditions, [&](const Condition& c) { return c.type == type; });
  return removed > 0;
}

}  // namespace kubedbt::api
