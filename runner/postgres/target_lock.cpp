// pg_try_advisory_lock(hashtextextended(key, 0)) polled on a dedicated connection; the lock lives
// as long as that session, so a crashed runner releases it when its connection drops.
#include "runner/postgres/target_lock.h"

#include <pqxx/pqxx>
#include <thread>

#include "runner/postgres/connection_string.h"

namespace kubedbt::runner {
namespace {

std::string describe(const TargetSpec& t) {
  return "target \"" + t.name + "\" (database " + t.dbname + ", schema " + t.schema + ")";
}

}  // namespace

std::string lock_key(const TargetSpec& t) { return "kubedbt:" + t.dbname + "." + t.schema; }

struct TargetLock::Session {
  explicit Session(const std::string& options) : connection(options) {}
  pqxx::connection connection;
};

TargetLock::TargetLock(std::unique_ptr<Session> session) : session_(std::move(session)) {}

TargetLock::~TargetLock() = default;

std::unique_ptr<TargetLock> TargetLock::acquire(const TargetSpec& target,
                                                const std::string& password,
                                                std::chrono::seconds wait,
                                                const std::function<bool()>& cancelled,
                                                std::chrono::milliseconds poll) {
  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(connection_string(target, password, "kubedbt-runner"));
  } catch (const std::exception& e) {
    std::string reason = e.what();
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    throw LockError("cannot connect to " + describe(target) + " at " + target.host + ":" +
                    std::to_string(target.port) + " as " + target.user + ": " + reason);
  }
  auto deadline = std::chrono::steady_clock::now() + wait;
  const std::string key = lock_key(target);
  while (true) {
    bool taken = false;
    try {
      pqxx::nontransaction tx(session->connection);
      taken = tx.exec_params1("select pg_try_advisory_lock(hashtextextended($1, 0))", key)[0]
                  .as<bool>();
    } catch (const std::exception& e) {
      throw LockError("cannot take the lock of " + describe(target) + ": " + e.what());
    }
    if (taken) return std::make_unique<TargetLock>(std::move(session));
    if (cancelled && cancelled()) {
      throw LockError("cancelled while waiting for the lock of " + describe(target));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw LockError("another run is building " + describe(target) + "; gave up after waiting " +
                      std::to_string(wait.count()) + "s for its lock");
    }
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace kubedbt::runner
