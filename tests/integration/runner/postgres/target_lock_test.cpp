// The per-target advisory lock against a real PostgreSQL: exclusive per target, released with its
// session, a run that cannot get it fails clearly without building anything, and a run whose lock
// session ends stops (Failed, saying so) instead of building beside another run.
#include "runner/postgres/target_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <thread>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

// Polls `condition` until it holds or `limit` has passed; returns whether it held.
bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

// Ends the runner's lock session in `db` as an administrator (or a failover) would; returns how
// many sessions it ended.
int terminate_lock_sessions(const TestDatabase& db) {
  return std::stoi(
      db.value("select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = "
               "current_database() and application_name = 'kubedbt-runner lock'"));
}

runner::TargetSpec target_for(const TestDatabase& db, const std::string& schema) {
  const auto& server = PostgresServer::get();
  runner::TargetSpec t;
  t.name = "dev";
  t.host = server.host;
  t.port = server.port;
  t.user = server.user;
  t.dbname = db.name();
  t.schema = schema;
  t.password_env = kPasswordEnv;
  return t;
}

TEST(TargetLockTest, ASecondHolderWaitsThenFailsWithAClearMessage) {
  TestDatabase db("lock");
  auto target = target_for(db, "analytics");
  const auto& password = PostgresServer::get().password;
  auto first = runner::TargetLock::acquire(target, password, std::chrono::seconds(5), nullptr);
  try {
    runner::TargetLock::acquire(target, password, std::chrono::seconds(1), nullptr,
                                std::chrono::milliseconds(100));
    FAIL() << "the second lock was granted";
  } catch (const runner::LockError& e) {
    EXPECT_STREQ(e.what(), ("another run is building target \"dev\" (database " + db.name() +
                            ", schema analytics); gave up after waiting 1s for its lock")
                               .c_str());
  }
  // Another schema of the same database is another target: not blocked.
  auto other = runner::TargetLock::acquire(target_for(db, "staging"), password,
                                           std::chrono::seconds(1), nullptr);
  EXPECT_NE(other, nullptr);
  first.reset();  // the session ends, the lock goes with it
  auto again = runner::TargetLock::acquire(target, password, std::chrono::seconds(5), nullptr);
  EXPECT_NE(again, nullptr);
}

TEST(TargetLockTest, ARunThatCannotTakeTheLockBuildsNothing) {
  TestDatabase db("lockrun");
  db.load_shop_raw_data();
  TempDir dir;
  copy_shop_project(dir.path() / "shop");
  auto spec = dev_spec(db, dir.path() / "shop");
  spec["lockWaitSeconds"] = 2;
  auto holder =
      runner::TargetLock::acquire(target_for(db, "analytics"), PostgresServer::get().password,
                                  std::chrono::seconds(5), nullptr);
  auto r = run_runner(spec, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_NE(r.status["message"].get<std::string>().find("another run is building target \"dev\""),
            std::string::npos)
      << r.status["message"];
  EXPECT_EQ(r.status.value("attempts", 0), 0);
  EXPECT_FALSE(db.schema_exists("analytics"));
}

TEST(TargetLockTest, TheHeartbeatNoticesThatTheLockSessionEnded) {
  TestDatabase db("lockbeat");
  auto target = target_for(db, "analytics");
  const auto& password = PostgresServer::get().password;
  auto lock =
      runner::TargetLock::acquire(target, password, std::chrono::seconds(5), nullptr,
                                  std::chrono::milliseconds(100), std::chrono::milliseconds(100));
  EXPECT_FALSE(lock->lost());
  ASSERT_EQ(terminate_lock_sessions(db), 1);
  ASSERT_TRUE(eventually([&] { return lock->lost().has_value(); }, std::chrono::seconds(60)))
      << "the heartbeat never noticed";
  EXPECT_NE(lock->lost()->find("its database session ended ("), std::string::npos) << *lock->lost();
  // The server dropped the lock with the session: another run can take it at once.
  auto other = runner::TargetLock::acquire(target, password, std::chrono::seconds(0), nullptr);
  EXPECT_NE(other, nullptr);
}

// dbt waits at a gate (an advisory lock the test holds) while the runner's lock session is
// terminated; the runner must interrupt dbt and fail, not go on to build beside another run.
TEST(TargetLockTest, ARunWhoseLockSessionEndsStopsAndFailsSayingTheLockWasLost) {
  TestDatabase db("locklost");
  db.load_shop_raw_data();
  TempDir dir;
  auto project = dir.path() / "shop";
  copy_shop_project(project);
  write_file(project / "models/marts/gated_orders.sql",
             "with gate as (select pg_advisory_xact_lock(4242) as opened)\n"
             "select o.* from {{ ref('stg_orders') }} o cross join gate\n");
  auto gated = [&] {
    return db.value(
               "select count(*) from pg_stat_activity where datname = current_database() and "
               "wait_event_type = 'Lock' and query like '%pg_advisory_xact_lock(4242)%' and "
               "pid <> pg_backend_pid()") != "0";
  };
  pqxx::connection gate(PostgresServer::get().connection_string(db.name()));
  pqxx::nontransaction(gate).exec("select pg_advisory_lock(4242)");
  std::atomic<int> terminated{0};
  // Only this thread uses `gate` from here on.
  std::thread cutter([&] {
    if (eventually(gated, std::chrono::seconds(120))) {
      terminated = terminate_lock_sessions(db);
      // dbt is interrupted and PostgreSQL cancels the gated query; a runner that went on would
      // be let through after this bound and succeed.
      eventually([&] { return !gated(); }, std::chrono::seconds(60));
    }
    pqxx::nontransaction(gate).exec("select pg_advisory_unlock(4242)");
  });
  auto r = run_runner(dev_spec(db, project), dir.path());
  cutter.join();
  ASSERT_EQ(terminated, 1) << "the gated model never waited at the gate\n" << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  auto message = r.status["message"].get<std::string>();
  EXPECT_EQ(message.rfind("Lost the lock of target \"dev\" (database " + db.name() +
                              ", schema analytics) while running ",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("(dbt build): its database session ended ("), std::string::npos)
      << message;
  EXPECT_NE(message.find("so another run could build the same target"), std::string::npos)
      << message;
  EXPECT_EQ(db.value("select coalesce(to_regclass('analytics.gated_orders')::text, 'none')"),
            "none");
}

}  // namespace
}  // namespace kubedbt::testing
