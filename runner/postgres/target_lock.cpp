// pg_try_advisory_lock(hashtextextended(key, 0)) polled on a dedicated connection; the lock lives
// as long as that session, so a crashed runner releases it when its connection drops. A heartbeat
// thread reads pg_locks on that session: a session that ended (or a connection libpq re-opened
// without the lock) is a lost lock.
#include "runner/postgres/target_lock.h"

#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "runner/postgres/connection_string.h"

namespace kubedbt::runner {
namespace {

// The lock session sends only instant statements; one that takes longer means the server is stuck.
constexpr std::chrono::minutes kLockStatementTimeout{1};

// Whether this session holds the advisory lock of the key: pg_locks splits a bigint key into
// classid (high half) and objid (low half), with objsubid 1.
constexpr const char* kHoldsLock =
    "select exists(select 1 from pg_locks where locktype = 'advisory' and granted and "
    "pid = pg_backend_pid() and objsubid = 1 and "
    "((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0))";

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::string lock_key(const TargetSpec& t) { return "kubedbt:" + t.dbname + "." + t.schema; }

std::string lock_target_description(const TargetSpec& t) {
  return "target \"" + t.name + "\" (database " + t.dbname + ", schema " + t.schema + ")";
}

struct TargetLock::Session {
  Session(const std::string& options, std::string lock_key)
      : connection(options), key(std::move(lock_key)) {}

  // Nullopt while the session holds the lock, else why not.
  std::optional<std::string> check() {
    try {
      pqxx::nontransaction tx(connection);
      if (tx.exec_params1(kHoldsLock, key)[0].as<bool>()) return std::nullopt;
      return std::string("its database session no longer holds it");
    } catch (const pqxx::broken_connection&) {
      // libpq's text here is about the closed socket, not why it closed.
      return std::string(
          "its database session ended (the server, a failover or the network closed it)");
    } catch (const std::exception& e) {
      return "its database session cannot be checked (" + trimmed(e.what()) + ")";
    }
  }

  // Checks every `every` until stopped or the lock is lost.
  void beat(std::chrono::milliseconds every) {
    std::unique_lock held(mutex);
    while (!wake.wait_for(held, every, [this] { return stopping; })) {
      held.unlock();
      auto reason = check();
      held.lock();
      if (reason) {
        lost = std::move(reason);
        return;
      }
    }
  }

  pqxx::connection connection;  // used by the heartbeat thread only once the lock is taken
  const std::string key;
  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::optional<std::string> lost;
  std::thread heartbeat;
};

TargetLock::TargetLock(std::unique_ptr<Session> session, std::chrono::milliseconds heartbeat)
    : session_(std::move(session)) {
  session_->heartbeat = std::thread([s = session_.get(), heartbeat] { s->beat(heartbeat); });
}

TargetLock::~TargetLock() {
  {
    std::lock_guard held(session_->mutex);
    session_->stopping = true;
  }
  session_->wake.notify_all();
  session_->heartbeat.join();
}

std::optional<std::string> TargetLock::lost() const {
  std::lock_guard held(session_->mutex);
  return session_->lost;
}

std::unique_ptr<TargetLock> TargetLock::acquire(const TargetSpec& target,
                                                const std::string& password,
                                                std::chrono::seconds wait,
                                                const std::function<bool()>& cancelled,
                                                std::chrono::milliseconds poll,
                                                std::chrono::milliseconds heartbeat) {
  std::unique_ptr<Session> session;
  SessionLimits limits;
  limits.statement_timeout = kLockStatementTimeout;
  try {
    session = std::make_unique<Session>(
        connection_string(target, password, "kubedbt-runner lock", limits), lock_key(target));
  } catch (const std::exception& e) {
    throw LockError("cannot connect to " + lock_target_description(target) + " at " + target.host +
                    ":" + std::to_string(target.port) + " as " + target.user + ": " +
                    trimmed(e.what()));
  }
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    bool taken = false;
    try {
      pqxx::nontransaction tx(session->connection);
      taken =
          tx.exec_params1("select pg_try_advisory_lock(hashtextextended($1, 0))", session->key)[0]
              .as<bool>();
    } catch (const std::exception& e) {
      throw LockError("cannot take the lock of " + lock_target_description(target) + ": " +
                      e.what());
    }
    if (taken) return std::make_unique<TargetLock>(std::move(session), heartbeat);
    if (cancelled && cancelled()) {
      throw LockError("cancelled while waiting for the lock of " + lock_target_description(target));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw LockError("another run is building " + lock_target_description(target) +
                      "; gave up after waiting " + std::to_string(wait.count()) + "s for its lock");
    }
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace kubedbt::runner
