// The connection string every runner session uses, read back by libpq's own parser: quoting, and
// the keepalives, TCP user timeout and statement timeout of both ends of the connection.
#include "runner/postgres/connection_string.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <map>
#include <stdexcept>

namespace kubedbt::runner {
namespace {

// The keywords libpq reads from `conninfo`, with their values.
std::map<std::string, std::string> parsed(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (!options) {
    std::string reason = error ? error : "out of memory";
    PQfreemem(error);
    throw std::runtime_error("libpq cannot parse the connection string: " + reason);
  }
  std::map<std::string, std::string> values;
  for (auto* o = options; o->keyword; ++o) {
    if (o->val) values[o->keyword] = o->val;
  }
  PQconninfoFree(options);
  return values;
}

TargetSpec target() {
  TargetSpec t;
  t.name = "prod";
  t.host = "warehouse.internal";
  t.port = 6432;
  t.user = "dbt";
  t.dbname = "shop";
  t.sslmode = "verify-full";
  return t;
}

TEST(ConnectionStringTest, QuotesEveryValueSoAPasswordMayHoldAnything) {
  auto values = parsed(connection_string(target(), "it's a \\ pass word", "kubedbt-runner state"));
  EXPECT_EQ(values["host"], "warehouse.internal");
  EXPECT_EQ(values["port"], "6432");
  EXPECT_EQ(values["user"], "dbt");
  EXPECT_EQ(values["dbname"], "shop");
  EXPECT_EQ(values["password"], "it's a \\ pass word");
  EXPECT_EQ(values["application_name"], "kubedbt-runner state");
  EXPECT_EQ(values["sslmode"], "verify-full");
  EXPECT_EQ(values["connect_timeout"], "10");
}

TEST(ConnectionStringTest, EverySessionCarriesKeepalivesAndTimeoutsOnBothEnds) {
  auto values = parsed(connection_string(target(), "secret", "kubedbt-runner state"));
  // The runner's end of the socket.
  EXPECT_EQ(values["keepalives"], "1");
  EXPECT_EQ(values["keepalives_idle"], "30");
  EXPECT_EQ(values["keepalives_interval"], "10");
  EXPECT_EQ(values["keepalives_count"], "3");
  EXPECT_EQ(values["tcp_user_timeout"], "60000");
  // The server's end, and the longest statement.
  EXPECT_EQ(values["options"],
            "-c statement_timeout=1800000 -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 "
            "-c tcp_keepalives_count=3 -c tcp_user_timeout=60000");
}

TEST(ConnectionStringTest, ASessionMayHaveLimitsOfItsOwn) {
  SessionLimits limits;
  limits.statement_timeout = std::chrono::seconds(45);
  limits.keepalive_idle = std::chrono::seconds(5);
  limits.keepalive_interval = std::chrono::seconds(2);
  limits.keepalive_count = 4;
  limits.tcp_user_timeout = std::chrono::seconds(20);
  auto values = parsed(connection_string(target(), "secret", "kubedbt-runner lock", limits));
  EXPECT_EQ(values["keepalives_idle"], "5");
  EXPECT_EQ(values["keepalives_interval"], "2");
  EXPECT_EQ(values["keepalives_count"], "4");
  EXPECT_EQ(values["tcp_user_timeout"], "20000");
  EXPECT_EQ(values["options"],
            "-c statement_timeout=45000 -c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 "
            "-c tcp_keepalives_count=4 -c tcp_user_timeout=20000");
}

}  // namespace
}  // namespace kubedbt::runner
