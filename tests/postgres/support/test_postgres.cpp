// Test PostgreSQL access over libpqxx.
#include "tests/postgres/support/test_postgres.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <stdexcept>

namespace kubedbt::testing {
namespace {

std::string env_or_throw(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) {
    throw std::runtime_error(std::string("$") + name +
                             " is not set; run the test through ctest (fixture postgres)");
  }
  return v;
}

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    throw std::runtime_error("cannot read " + file.string() +
                             "; start it with tests/postgres/postgres.sh up --dir DIR");
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace

const PostgresServer& PostgresServer::get() {
  static const PostgresServer server = [] {
    std::filesystem::path dir = env_or_throw("KUBEDBT_POSTGRES_DIR");
    PostgresServer s;
    std::istringstream env(read_all(dir / "env"));
    for (std::string line; std::getline(env, line);) {
      auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      auto key = line.substr(0, eq), value = line.substr(eq + 1);
      if (key == "PGHOST") s.host = value;
      if (key == "PGPORT") s.port = std::stoi(value);
      if (key == "PGUSER") s.user = value;
    }
    s.password = read_all(dir / "password");
    while (!s.password.empty() && s.password.back() == '\n') s.password.pop_back();
    if (s.host.empty() || s.port == 0 || s.user.empty()) {
      throw std::runtime_error((dir / "env").string() + " lacks PGHOST, PGPORT or PGUSER");
    }
    return s;
  }();
  return server;
}

std::string PostgresServer::connection_string(const std::string& database) const {
  return "host=" + quote(host) + " port=" + std::to_string(port) + " user=" + quote(user) +
         " password=" + quote(password) + " dbname=" + quote(database) +
         " application_name='kubedbt-test'";
}

void execute_on_server(const std::string& sql) {
  pqxx::connection c(PostgresServer::get().connection_string("postgres"));
  pqxx::nontransaction tx(c);
  tx.exec(sql);
}

TestDatabase::TestDatabase(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ = prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(rd() % 100000);
  execute_on_server("create database \"" + name_ + "\"");
}

TestDatabase::~TestDatabase() {
  try {
    execute_on_server("drop database if exists \"" + name_ + "\" with (force)");
  } catch (const std::exception&) {
    // A test that failed midway may leave the server busy; the fixture's data folder goes anyway.
  }
}

void TestDatabase::execute(const std::string& sql) const {
  pqxx::connection c(PostgresServer::get().connection_string(name_));
  pqxx::nontransaction tx(c);
  tx.exec(sql);
}

std::vector<std::string> TestDatabase::column(const std::string& sql) const {
  pqxx::connection c(PostgresServer::get().connection_string(name_));
  pqxx::nontransaction tx(c);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(sql)) out.push_back(row[0].is_null() ? "" : row[0].c_str());
  return out;
}

std::string TestDatabase::value(const std::string& sql) const {
  auto rows = column(sql);
  if (rows.size() != 1) {
    throw std::runtime_error("expected one row from: " + sql + " (got " +
                             std::to_string(rows.size()) + ")");
  }
  return rows.front();
}

bool TestDatabase::schema_exists(const std::string& schema) const {
  return value("select count(*) from information_schema.schemata where schema_name = '" + schema +
               "'") == "1";
}

void TestDatabase::load_shop_raw_data() const {
  execute(read_all(shop_project() / "load" / "raw_data.sql"));
}

std::filesystem::path source_dir() { return env_or_throw("KUBEDBT_SOURCE_DIR"); }
std::filesystem::path binary_dir() { return env_or_throw("KUBEDBT_BINARY_DIR"); }

std::filesystem::path dbt_executable() {
  const char* cache = std::getenv("KUBEDBT_CACHE");
  std::filesystem::path base =
      cache && *cache ? cache : std::filesystem::path(env_or_throw("HOME")) / ".cache/kubedbt";
  return base / "venv" / "bin" / "dbt";
}

std::filesystem::path shop_project() { return source_dir() / "examples" / "shop"; }

}  // namespace kubedbt::testing
