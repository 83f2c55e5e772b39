// A PostgreSQL advisory lock per target (database + schema): one run builds a target at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
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

// How messages name the locked target: `target "dev" (database shop, schema analytics)`.
std::string lock_target_description(const TargetSpec& target);

// Holds the session-level lock on its own connection until destroyed. A heartbeat thread checks
// every `heartbeat` that the session still holds it; once it does not (the session ended, the
// server stopped answering), lost() says why and the holder must stop building the target.
class TargetLock {
 public:
  // Tries every `poll` until the lock is taken, `wait` has passed or `cancelled` says so.
  // Throws LockError: cannot connect (libpq's reason), or another run held it the whole time.
  static std::unique_ptr<TargetLock> acquire(
      const TargetSpec& target, const std::string& password, std::chrono::seconds wait,
      const std::function<bool()>& cancelled,
      std::chrono::milliseconds poll = std::chrono::milliseconds(500),
      std::chrono::milliseconds heartbeat = std::chrono::seconds(5));
  ~TargetLock();

  TargetLock(const TargetLock&) = delete;
  TargetLock& operator=(const TargetLock&) = delete;

  // Why the lock is no longer held ("its database session ended (...)") or can no longer be
  // confirmed, once the heartbeat noticed; nullopt while it is held. Safe from any thread.
  std::optional<std::string> lost() const;

  // The database session that holds the lock, and its heartbeat.
  struct Session;
  // Takes over a session that already holds the lock and starts its heartbeat.
  TargetLock(std::unique_ptr<Session> session, std::chrono::milliseconds heartbeat);

 private:
  std::unique_ptr<Session> session_;
};

}  // namespace kubedbt::runner
