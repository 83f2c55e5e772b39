// Blue-green swap time against the size of the data: the promotion transaction (locks, grants,
// renames) on a production and a staging schema of one table and one view each, at 1 thousand and
// 1 million rows. Prints the median, fastest and slowest of 15 swaps per size; asserts nothing.
// Needs the test PostgreSQL: KUBEDBT_POSTGRES_DIR (tests/postgres/postgres.sh up --dir D).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>
#include <vector>

#include "runner/deploy/schema_swap.h"
#include "tests/postgres/support/test_postgres.h"

namespace {

using namespace kubedbt;

constexpr int kSwaps = 15;

// A schema holding `rows` rows in a table, an index and a view over it, readable by a role.
void build_schema(const testing::TestDatabase& db, const std::string& schema, long rows,
                  const std::string& reader) {
  db.execute("create schema " + schema + "; create table " + schema +
             ".orders as select g as order_id, md5(g::text) as note, now() as loaded_at "
             "from generate_series(1, " +
             std::to_string(rows) + ") g; create index on " + schema +
             ".orders (order_id); create view " + schema +
             ".order_notes as select order_id, note "
             "from " +
             schema + ".orders; grant usage on schema " + schema + " to " + reader +
             "; grant select on " + schema + ".orders, " + schema + ".order_notes to " + reader);
}

// Swaps `kSwaps` times; between swaps the backup goes back to being the staging schema.
std::vector<double> time_swaps(const testing::TestDatabase& db) {
  pqxx::connection connection(testing::PostgresServer::get().connection_string(db.name()));
  runner::SchemaPair pair{"bench", "bench__kubedbt_staging", "bench__kubedbt_previous"};
  runner::SwapSettings settings;
  settings.target_key = db.name() + ".bench";
  std::vector<double> ms;
  for (int i = 0; i < kSwaps; ++i) {
    auto start = std::chrono::steady_clock::now();
    runner::promote_staging(connection, {pair}, settings);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    db.execute("alter schema bench__kubedbt_previous rename to bench__kubedbt_staging");
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

}  // namespace

int main() {
  try {
    std::printf("%-12s %12s %12s %12s\n", "rows", "median ms", "fastest ms", "slowest ms");
    for (long rows : {1000L, 1000000L}) {
      testing::TestDatabase db("swap_bench");
      std::string reader = "bench_reader_" + db.name();
      testing::execute_on_server("create role " + reader);
      build_schema(db, "bench", rows, reader);
      build_schema(db, "bench__kubedbt_staging", rows, reader);
      db.execute("vacuum analyze");
      testing::execute_on_server("checkpoint");  // no flush of the new rows during the swaps
      auto ms = time_swaps(db);
      std::printf("%-12ld %12.2f %12.2f %12.2f\n", rows, ms[ms.size() / 2], ms.front(), ms.back());
      db.execute("drop owned by " + reader);
      testing::execute_on_server("drop role " + reader);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "swap_bench: %s\n", e.what());
    return 1;
  }
}
