// The per-target advisory lock against a real PostgreSQL: exclusive per target, released with its
// session, and a run that cannot get it fails clearly without building anything.
#include "runner/postgres/target_lock.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

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

}  // namespace
}  // namespace kubedbt::testing
