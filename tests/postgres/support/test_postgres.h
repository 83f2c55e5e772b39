// Access to the private PostgreSQL of a ctest run ($KUBEDBT_POSTGRES_DIR), a fresh database per
// test, and the paths of the things tests drive (the example project, dbt).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kubedbt::testing {

// The server started by `tests/postgres/postgres.sh up` (the ctest fixture `postgres`).
struct PostgresServer {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;

  // Reads $KUBEDBT_POSTGRES_DIR/env and /password; throws std::runtime_error with the fix.
  static const PostgresServer& get();
  // libpq connection string for `database`.
  std::string connection_string(const std::string& database) const;
};

// A database of its own for one test, dropped (connections terminated) when it goes out of scope.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& prefix = "t");
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // Runs SQL text (several statements allowed); throws with PostgreSQL's message.
  void execute(const std::string& sql) const;
  // The first column of every row, as text ("" for NULL).
  std::vector<std::string> column(const std::string& sql) const;
  // The single value of a one-row, one-column query.
  std::string value(const std::string& sql) const;
  bool schema_exists(const std::string& schema) const;
  // Lands the example shop's raw data (examples/shop/load/raw_data.sql), as an EL tool would.
  void load_shop_raw_data() const;

 private:
  std::string name_;
};

// Runs SQL on the server's maintenance database (postgres).
void execute_on_server(const std::string& sql);

std::filesystem::path source_dir();      // $KUBEDBT_SOURCE_DIR
std::filesystem::path binary_dir();      // $KUBEDBT_BINARY_DIR
std::filesystem::path dbt_executable();  // $KUBEDBT_CACHE/venv/bin/dbt
std::filesystem::path shop_project();    // examples/shop in the source tree

}  // namespace kubedbt::testing
