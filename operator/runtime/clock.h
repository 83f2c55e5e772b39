// The time source reconcilers read, passed in so tests can fix "now".
#pragma once

#include <chrono>

#include "api/timestamp.h"

namespace kubedbt::op {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  api::Timestamp now_seconds() const {
    return std::chrono::time_point_cast<std::chrono::seconds>(now());
  }
};

class SystemClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
};

// A clock that says what a test tells it.
class FixedClock : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point t) : t_(t) {}
  std::chrono::system_clock::time_point now() const override { return t_; }
  void set(std::chrono::system_clock::time_point t) { t_ = t; }

 private:
  std::chrono::system_clock::time_point t_;
};

}  // namespace kubedbt::op
