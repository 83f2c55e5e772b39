// A real session opened with the runner's connection string (as the state store opens its own)
// runs under the statement timeout, TCP user timeout and keepalives it asks for.
#include "runner/postgres/connection_string.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

TEST(ConnectionStringSessionTest, AStateStoreSessionShowsItsTimeoutsAndKeepalives) {
  TestDatabase db("connlimits");
  const auto& server = PostgresServer::get();
  runner::TargetSpec target;
  target.name = "dev";
  target.host = server.host;
  target.port = server.port;
  target.user = server.user;
  target.dbname = db.name();
  pqxx::connection session(
      runner::connection_string(target, server.password, "kubedbt-runner state"));
  pqxx::nontransaction tx(session);
  auto show = [&](const std::string& setting) {
    return tx.exec1("show " + setting)[0].as<std::string>();
  };
  EXPECT_EQ(show("statement_timeout"), "30min");
  EXPECT_EQ(show("tcp_user_timeout"), "60000");
  EXPECT_EQ(show("tcp_keepalives_idle"), "30");
  EXPECT_EQ(show("tcp_keepalives_interval"), "10");
  EXPECT_EQ(show("tcp_keepalives_count"), "3");
  // The limit is real: a statement longer than the session's timeout is cancelled.
  runner::SessionLimits limits;
  limits.statement_timeout = std::chrono::milliseconds(200);
  pqxx::connection quick(
      runner::connection_string(target, server.password, "kubedbt-runner state", limits));
  pqxx::nontransaction quick_tx(quick);
  try {
    quick_tx.exec("select pg_sleep(30)");
    FAIL() << "a statement outlived the session's statement_timeout";
  } catch (const pqxx::sql_error& e) {
    EXPECT_NE(std::string(e.what()).find("statement timeout"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kubedbt::testing
