// A PostgreSQL advisory lock per target (database + schema): one run builds a target at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "runner/spec/step_error.h"
#include "runner/spec/target_spec.h"

namespace kubedbt::runner {

class LockError : public StepError {
 public:
  using StepError::StepError;
};

// The lock's key text; PostgreSQL hashes it to the 64-bit advisory lock key.
std::string lock_key(const TargetSpec& target);

// Holds the session-level lock on its own connection until destroyed.
class TargetLock {
 public:
  // Tries every `poll` until the lock is taken, `wait` has passed or `cancelled` says so.
  // Throws LockError: cannot connect (libpq's reason), or another run held it the whole time.
  static std::unique_ptr<TargetLock> acquire(
      const TargetSpec& target, const std::string& password, std::chrono::seconds wait,
      const std::function<bool()>& cancelled,
      std::chrono::milliseconds poll = std::chrono::milliseconds(500));
  ~TargetLock();

  TargetLock(const TargetLock&) = delete;
  TargetLock& operator=(const TargetLock&) = delete;

  // The database session that holds the lock.
  struct Session;
  // Takes over a session that already holds the lock.
  explicit TargetLock(std::unique_ptr<Session> session);

 private:
  std::unique_ptr<Session> session_;
};

}  // namespace kubedbt::runner
