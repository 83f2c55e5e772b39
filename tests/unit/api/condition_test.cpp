// Tests of the condition helpers: lastTransitionTime moves only when the status changes.
#include "api/condition.h"

#include <gtest/gtest.h>

namespace kubedbt::api {
namespace {

Timestamp at(int minute) {
  return Timestamp{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1} +
                   std::chrono::minutes(minute)};
}

Condition ready(ConditionStatus status, std::string reason, std::string message, std::int64_t gen) {
  return Condition{std::string(condition_type::kReady),
                   status,
                   std::move(reason),
                   std::move(message),
                   gen,
                   Timestamp{}};
}

TEST(ConditionTest, AddsANewConditionStampedNow) {
  std::vector<Condition> conditions;
  EXPECT_TRUE(
      set_condition(conditions, ready(ConditionStatus::False, "SecretMissing", "m", 1), at(1)));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].last_transition_time, at(1));
  EXPECT_FALSE(is_condition_true(conditions, condition_type::kReady));
}

TEST(ConditionTest, SameStatusKeepsTheTransitionTimeButRefreshesTheRest) {
  std::vector<Condition> conditions;
  set_condition(conditions, ready(ConditionStatus::False, "SecretMissing", "first", 1), at(1));
  EXPECT_TRUE(
      set_condition(conditions, ready(ConditionStatus::False, "InvalidSpec", "second", 2), at(5)));
  EXPECT_EQ(conditions[0].last_transition_time, at(1));
  EXPECT_EQ(conditions[0].reason, "InvalidSpec");
  EXPECT_EQ(conditions[0].message, "second");
  EXPECT_EQ(conditions[0].observed_generation, 2);
}

TEST(ConditionTest, StatusChangeMovesTheTransitionTime) {
  std::vector<Condition> conditions;
  set_condition(conditions, ready(ConditionStatus::False, "SecretMissing", "m", 1), at(1));
  EXPECT_TRUE(set_condition(conditions, ready(ConditionStatus::True, "Ready", "ok", 1), at(7)));
  EXPECT_EQ(conditions[0].last_transition_time, at(7));
  EXPECT_TRUE(is_condition_true(conditions, condition_type::kReady));
}

TEST(ConditionTest, IdenticalConditionIsNoChange) {
  std::vector<Condition> conditions;
  set_condition(conditions, ready(ConditionStatus::True, "Ready", "ok", 3), at(1));
  EXPECT_FALSE(set_condition(conditions, ready(ConditionStatus::True, "Ready", "ok", 3), at(9)));
  EXPECT_EQ(conditions[0].last_transition_time, at(1));
}

TEST(ConditionTest, KeepsOtherTypesApartAndRemoves) {
  std::vector<Condition> conditions;
  set_condition(conditions, ready(ConditionStatus::True, "Ready", "ok", 1), at(1));
  Condition complete{
      std::string(condition_type::kComplete), ConditionStatus::True, "JobComplete", "", 1, {}};
  set_condition(conditions, complete, at(2));
  ASSERT_EQ(conditions.size(), 2u);
  ASSERT_NE(find_condition(conditions, condition_type::kComplete), nullptr);
  EXPECT_EQ(find_condition(conditions, condition_type::kSucceeded), nullptr);
  EXPECT_TRUE(remove_condition(conditions, condition_type::kReady));
  EXPECT_FALSE(remove_condition(conditions, condition_type::kReady));
  EXPECT_EQ(conditions.size(), 1u);
}

TEST(ConditionTest, JsonRoundTrip) {
  Condition c = ready(ConditionStatus::Unknown, "Reconciling", "rendering profiles", 4);
  c.last_transition_time = at(3);
  Json j = encode(c);
  EXPECT_EQ(j["status"], "Unknown");
  EXPECT_EQ(j["lastTransitionTime"], "2026-01-01T00:03:00Z");
  EXPECT_EQ(j["observedGeneration"], 4);
  Condition back;
  decode(j, "status.conditions[0]", back);
  EXPECT_EQ(back, c);
  j["status"] = "Maybe";
  EXPECT_THROW(decode(j, "status.conditions[0]", back), DecodeError);
}

}  // namespace
}  // namespace kubedbt::api
