// Blue-green deployment end to end (runner binary, real dbt, real PostgreSQL): the swap, grants,
// failed builds, rollback, SIGKILL at each step, lock timeouts, readers during swaps, and objects
// kubedbt did not build (other teams' views, hand-made tables, objects in backups).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The production schemas of the test project: models, the seeds' custom schema "reference" and
// the marker model's custom schema "reporting".
const std::vector<std::string> kProduction = {"analytics", "analytics_reference",
                                              "analytics_reporting"};
const char* kSwapApplication = "kubedbt-runner blue-green";

class BlueGreenTest : public ::testing::Test {
 protected:
  TestDatabase db{"bluegreen"};
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";
  int runs = 0;
  std::vector<std::string> roles;

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
    // Two models in different schemas, each holding the run's build_marker var.
    write_file(project / "models/marts/marker_a.sql",
               "select '{{ var(\"build_marker\", \"none\") }}'::text as marker\n");
    write_file(project / "models/reporting/marker_b.sql",
               "{{ config(materialized='table', schema='reporting') }}\n"
               "select '{{ var(\"build_marker\", \"none\") }}'::text as marker\n");
  }

  json spec(const std::string& marker) const {
    auto s = dev_spec(db, project, "analytics");
    s["target"]["name"] = "prod";
    s["deployment"] = {{"strategy", "BlueGreen"}};
    s["vars"] = {{"build_marker", marker}};
    return s;
  }

  // Each run gets a folder of its own, so a status file is never a previous run's.
  RunnerResult run(const json& s, const RunnerOptions& options = {}) {
    return run_runner(s, dir.path() / ("run-" + std::to_string(++runs)), options);
  }

  RunnerResult deploy(const std::string& marker) {
    auto r = run(spec(marker));
    EXPECT_EQ(r.exit_code, 0) << r.status.dump(2) << "\n" << r.err;
    return r;
  }

  RunnerResult roll_back() {
    RunnerOptions options;
    options.args = {"rollback"};
    return run(spec("unused"), options);
  }

  std::string markers() const {
    return db.value(
        "select a.marker || '/' || b.marker from analytics.marker_a a, "
        "analytics_reporting.marker_b b");
  }

  std::vector<std::string> schemas() const {
    return db.column("select nspname from pg_namespace where nspname like 'analytics%' order by 1");
  }

  // Every production relation's rows, ordered, as one md5; plus each schema's oid.
  std::map<std::string, std::string> production_fingerprint() const {
    std::map<std::string, std::string> out;
    for (const auto& schema : kProduction) {
      out[schema] =
          db.value("select coalesce((select oid::text from pg_namespace where nspname = '" +
                   schema + "'), 'missing')");
      for (const auto& relation :
           db.column("select c.relname from pg_class c join pg_namespace n on n.oid = "
                     "c.relnamespace where n.nspname = '" +
                     schema + "' and c.relkind in ('r', 'v', 'm') order by 1")) {
        out[schema + "." + relation] = db.value(
            "select coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), 'no rows') from "
            "\"" +
            schema + "\".\"" + relation + "\" t");
      }
    }
    return out;
  }

  // A role of the server for this test only, dropped (with what it owns here) after the test.
  std::string make_role(const std::string& prefix) {
    roles.push_back(prefix + "_" + db.name());
    execute_on_server("create role \"" + roles.back() + "\"");
    return roles.back();
  }

  void TearDown() override {
    for (const auto& role : roles) {
      db.execute("drop owned by \"" + role + "\"");
      execute_on_server("drop role \"" + role + "\"");
    }
  }

  int sessions_of(const std::string& application) const {
    return std::stoi(
        db.value("select count(*) from pg_stat_activity where datname = current_database() and "
                 "application_name = '" +
                 application + "'"));
  }

  // Waits until no session but the asking one is left in the database (an orphaned dbt included).
  void wait_for_quiet(std::chrono::seconds limit) const {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      auto others = db.value(
          "select count(*) from pg_stat_activity where datname = current_database() and pid <> "
          "pg_backend_pid() and backend_type = 'client backend'");
      if (others == "0") return;
      std::this_thread::sleep_for(200ms);
    }
    FAIL() << "sessions still open in the test database after " << limit.count() << "s";
  }
};

TEST_F(BlueGreenTest, SwapsEveryProductionSchemaAndReadersKeepTheirGrants) {
  auto first = deploy("one");
  ASSERT_EQ(first.exit_code, 0);
  EXPECT_EQ(markers(), "one/one");
  EXPECT_EQ(first.status["deployment"]["swapped"], true);
  EXPECT_EQ(first.status["deployment"]["schemas"], json(kProduction));
  EXPECT_TRUE(first.status["deployment"].value("previous", json::array()).empty());

  // A reader role with grants given by hand on production, as an analyst team would have.
  std::string reader = "reader_" + db.name();
  execute_on_server("create role \"" + reader + "\"");
  db.execute("grant usage on schema analytics, analytics_reporting to \"" + reader +
             "\"; grant select on analytics.fct_orders, analytics_reporting.marker_b to \"" +
             reader + "\"; comment on schema analytics is 'the shop''s marts'");
  auto read_as_reader = [&](const std::string& sql) {
    pqxx::connection c(PostgresServer::get().connection_string(db.name()));
    pqxx::work tx(c);
    tx.exec0("set local role \"" + reader + "\"");
    return tx.exec1(sql)[0].as<std::string>();
  };
  auto orders = read_as_reader("select count(*) from analytics.fct_orders");

  auto second = deploy("two");
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_EQ(markers(), "two/two");
  EXPECT_EQ(second.status["deployment"]["previous"],
            json({"analytics__kubedbt_previous", "analytics_reference__kubedbt_previous",
                  "analytics_reporting__kubedbt_previous"}));
  auto message = second.status["message"].get<std::string>();
  EXPECT_NE(message.find("Swapped staging into production: analytics, analytics_reference, "
                         "analytics_reporting"),
            std::string::npos)
      << message;
  EXPECT_EQ(db.value("select marker from analytics__kubedbt_previous.marker_a"), "one");
  for (const auto& schema : schemas()) {
    EXPECT_EQ(schema.find("__kubedbt_staging"), std::string::npos) << schema << " was left";
  }

  EXPECT_EQ(read_as_reader("select count(*) from analytics.fct_orders"), orders);
  EXPECT_EQ(read_as_reader("select marker from analytics_reporting.marker_b"), "two");
  EXPECT_EQ(db.value("select obj_description('analytics'::regnamespace, 'pg_namespace')"),
            "the shop's marts");
  // Grants are carried over, not widened: the reader was never given dim_customers.
  EXPECT_THROW(read_as_reader("select count(*) from analytics.dim_customers"),
               pqxx::insufficient_privilege);

  // The manifest left for the state store describes production, not staging.
  auto manifest = read_json_file(second.work_dir / "target" / "manifest.json");
  EXPECT_EQ(manifest["nodes"]["model.shop.fct_orders"]["schema"], "analytics");
  EXPECT_EQ(manifest["nodes"]["model.shop.marker_b"]["schema"], "analytics_reporting");
  EXPECT_EQ(manifest["nodes"]["seed.shop.countries"]["schema"], "analytics_reference");

  db.execute("drop owned by \"" + reader + "\"");
  execute_on_server("drop role \"" + reader + "\"");
}

TEST_F(BlueGreenTest, AFailingDataTestLeavesProductionByteIdentical) {
  ASSERT_EQ(deploy("one").exit_code, 0);
  ASSERT_EQ(deploy("two").exit_code, 0);
  auto before = production_fingerprint();
  auto backup_before = db.value("select marker from analytics__kubedbt_previous.marker_a");

  write_file(project / "tests/assert_marker_is_not_three.sql",
             "select * from {{ ref('marker_a') }} where marker = 'three'\n");
  auto failed = run(spec("three"));
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_EQ(failed.status["phase"], "Failed");
  EXPECT_EQ(failed.status["deployment"]["swapped"], false);
  auto message = failed.status["message"].get<std::string>();
  EXPECT_NE(message.find("Production is untouched"), std::string::npos) << message;
  EXPECT_NE(message.find("analytics__kubedbt_staging"), std::string::npos) << message;

  EXPECT_EQ(production_fingerprint(), before);
  EXPECT_EQ(markers(), "two/two");
  EXPECT_EQ(db.value("select marker from analytics__kubedbt_previous.marker_a"), backup_before);
  // The failed build stays in staging for inspection.
  EXPECT_EQ(db.value("select marker from analytics__kubedbt_staging.marker_a"), "three");

  // The next good run clears the leftover staging schemas and swaps.
  std::filesystem::remove(project / "tests/assert_marker_is_not_three.sql");
  ASSERT_EQ(deploy("four").exit_code, 0);
  EXPECT_EQ(markers(), "four/four");
  EXPECT_FALSE(db.schema_exists("analytics__kubedbt_staging"));
}

TEST_F(BlueGreenTest, RollbackSwapsBackAndASecondRollbackRollsForward) {
  auto nothing = roll_back();
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_NE(nothing.err.find("no previous production schemas to roll back to"), std::string::npos)
      << nothing.err;

  auto one = deploy("one");
  ASSERT_EQ(one.exit_code, 0);
  auto two = deploy("two");
  ASSERT_EQ(two.exit_code, 0);
  // Slim CI's state: the stored production manifest is the build production holds.
  auto stored = [&] {
    return db.value(
        "select invocation_id from kubedbt_prod.production_manifests where target = 'prod'");
  };
  const std::string one_id = one.status["artifacts"]["invocationId"];
  const std::string two_id = two.status["artifacts"]["invocationId"];
  ASSERT_NE(one_id, two_id);
  EXPECT_EQ(stored(), two_id);

  auto back = roll_back();
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_NE(back.out.find("analytics <-> analytics__kubedbt_previous"), std::string::npos)
      << back.out;
  EXPECT_NE(back.out.find("production manifest (Slim CI's state) rolled back too"),
            std::string::npos)
      << back.out;
  EXPECT_EQ(markers(), "one/one");
  EXPECT_EQ(db.value("select marker from analytics__kubedbt_previous.marker_a"), "two");
  EXPECT_EQ(stored(), one_id);

  auto forward = roll_back();
  EXPECT_EQ(forward.exit_code, 0) << forward.err;
  EXPECT_EQ(markers(), "two/two");
  EXPECT_EQ(db.value("select marker from analytics__kubedbt_previous.marker_a"), "one");
  EXPECT_EQ(stored(), two_id);

  // keepPrevious false: the backups go right after the swap, and there is nothing to roll back.
  auto s = spec("three");
  s["deployment"]["keepPrevious"] = false;
  auto r = run(s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.status["deployment"].value("previous", json::array()).empty());
  EXPECT_EQ(markers(), "three/three");
  EXPECT_EQ(schemas(), kProduction);
  EXPECT_EQ(roll_back().exit_code, 1);
  EXPECT_EQ(markers(), "three/three");
}

TEST_F(BlueGreenTest, SigkillDuringTheStagingBuildLeavesProductionUntouched) {
  write_file(project / "models/marts/nap.sql",
             "with nap as (select pg_sleep({{ var('nap_seconds', 0) }}) as slept)\n"
             "select 1 as one from nap\n");
  ASSERT_EQ(deploy("one").exit_code, 0);
  auto before = production_fingerprint();

  auto s = spec("two");
  s["vars"]["nap_seconds"] = 300;
  RunnerOptions options;
  options.stop_signal = 9;
  options.stop_when = [&] {
    return db.value(
               "select count(*) from pg_stat_activity where datname = current_database() and "
               "state = 'active' and query like '%pg_sleep(300)%' and pid <> pg_backend_pid()") !=
           "0";
  };
  auto killed = run(s, options);
  EXPECT_EQ(killed.exit_code, 128 + 9) << killed.err;
  // The runner's dbt outlives it as an orphan; end its sleeping query so it finishes.
  db.execute(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() "
      "and query like '%pg_sleep(300)%' and pid <> pg_backend_pid()");
  wait_for_quiet(120s);

  EXPECT_EQ(production_fingerprint(), before);
  EXPECT_EQ(markers(), "one/one");
  for (const auto& schema : schemas()) {
    EXPECT_EQ(schema.find("__kubedbt_previous"), std::string::npos) << schema;
  }

  ASSERT_EQ(deploy("three").exit_code, 0);
  EXPECT_EQ(markers(), "three/three");
}

TEST_F(BlueGreenTest, SigkillWhileTheSwapWaitsForALockLeavesProductionUntouched) {
  ASSERT_EQ(deploy("one").exit_code, 0);
  ASSERT_EQ(deploy("two").exit_code, 0);
  auto before = production_fingerprint();
  auto schemas_before = schemas();

  // A reader in a long transaction holds a lock the swap needs.
  pqxx::connection blocker(PostgresServer::get().connection_string(db.name()));
  pqxx::work holding(blocker);
  holding.exec0("lock table analytics.fct_orders in access share mode");

  RunnerOptions options;
  options.stop_signal = 9;
  options.stop_when = [&] {
    return db.value(
               "select count(*) from pg_stat_activity where datname = current_database() and "
               "application_name = '" +
               std::string(kSwapApplication) + "' and wait_event_type = 'Lock'") != "0";
  };
  auto killed = run(spec("three"), options);
  EXPECT_EQ(killed.exit_code, 128 + 9) << killed.err;
  // The server still has the swap's session, waiting; release the lock and let it see its client
  // is gone.
  EXPECT_EQ(sessions_of(kSwapApplication), 1);
  holding.commit();
  auto until = std::chrono::steady_clock::now() + 60s;
  while (sessions_of(kSwapApplication) > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(sessions_of(kSwapApplication), 0);

  EXPECT_EQ(production_fingerprint(), before);
  EXPECT_EQ(markers(), "two/two");
  EXPECT_EQ(db.value("select marker from analytics__kubedbt_previous.marker_a"), "one");
  // No half state: staging is still staging, nothing was renamed.
  auto after = schemas();
  std::set<std::string> expected(schemas_before.begin(), schemas_before.end());
  expected.insert({"analytics__kubedbt_staging", "analytics__kubedbt_staging_reference",
                   "analytics__kubedbt_staging_reporting"});
  EXPECT_EQ(std::set<std::string>(after.begin(), after.end()), expected);
  EXPECT_EQ(db.value("select marker from analytics__kubedbt_staging.marker_a"), "three");
}

TEST_F(BlueGreenTest, ALockHeldPastTheTimeoutFailsTheRunNamingTheLock) {
  ASSERT_EQ(deploy("one").exit_code, 0);
  auto before = production_fingerprint();

  pqxx::connection blocker(PostgresServer::get().connection_string(db.name()));
  pqxx::work holding(blocker);
  holding.exec0("lock table analytics_reporting.marker_b in access share mode");
  auto r = run(spec("two"));
  holding.commit();

  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_EQ(r.status["deployment"]["swapped"], false);
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("gave up after waiting 10s for a lock while locking production relation "
                         "analytics_reporting.marker_b, held by pid " +
                         std::to_string(blocker.backendpid())),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("Production is untouched"), std::string::npos) << message;
  EXPECT_EQ(production_fingerprint(), before);
  EXPECT_EQ(markers(), "one/one");
}

TEST_F(BlueGreenTest, ReadersNeverSeeAMissingRelationOrAMixOfBuilds) {
  ASSERT_EQ(deploy("0").exit_code, 0);
  std::atomic<bool> stop{false};
  std::atomic<int> queries{0};
  std::vector<std::string> problems;
  std::set<std::string> seen;
  std::thread reader([&] {
    pqxx::connection c(PostgresServer::get().connection_string(db.name()));
    while (!stop) {
      try {
        pqxx::nontransaction tx(c);
        auto rows = tx.exec(
            "select a.marker, b.marker from analytics.marker_a a, analytics_reporting.marker_b b");
        ++queries;
        if (rows.size() != 1) {
          problems.push_back(std::to_string(rows.size()) + " rows");
          continue;
        }
        auto a = rows[0][0].as<std::string>();
        auto b = rows[0][1].as<std::string>();
        seen.insert(a);
        if (a != b) problems.push_back("mixed builds: " + a + " and " + b);
      } catch (const std::exception& e) {
        problems.push_back(e.what());
      }
    }
  });
  for (const auto* marker : {"1", "2", "3"}) {
    auto r = run(spec(marker));
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  stop = true;
  reader.join();
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, the first: " << problems.front();
  EXPECT_EQ(seen, (std::set<std::string>{"0", "1", "2", "3"}));
  EXPECT_GT(queries.load(), 100);
  EXPECT_EQ(markers(), "3/3");
}

TEST_F(BlueGreenTest, SnapshotsKeepTheirHistoryAcrossSwaps) {
  // A snapshot's history lives only in its production table; staging starts from a copy of it.
  write_file(project / "snapshots/orders_snapshot.sql",
             "{% snapshot orders_snapshot %}\n"
             "{{ config(unique_key='id', strategy='check', check_cols=['status'], "
             "schema='snapshots') }}\n"
             "select id, status from {{ source('raw', 'orders') }}\n"
             "{% endsnapshot %}\n");
  ASSERT_EQ(deploy("one").exit_code, 0);
  auto orders = db.value("select count(*) from raw.orders");
  EXPECT_EQ(db.value("select count(*) from analytics_snapshots.orders_snapshot"), orders);

  db.execute(
      "update raw.orders set status = case when status = 'returned' then 'completed' else "
      "'returned' end where id = 1");
  auto r = deploy("two");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(std::find(r.status["deployment"]["schemas"].begin(),
                      r.status["deployment"]["schemas"].end(), "analytics_snapshots"),
            r.status["deployment"]["schemas"].end());
  EXPECT_EQ(db.value("select count(*) from analytics_snapshots.orders_snapshot"),
            std::to_string(std::stoi(orders) + 1));
  EXPECT_EQ(db.value("select count(*) from analytics_snapshots.orders_snapshot where id = 1 and "
                     "dbt_valid_to is not null"),
            "1");
}

TEST_F(BlueGreenTest, AnotherRolesViewOverProductionStopsTheSwapNamingIt) {
  ASSERT_EQ(deploy("one").exit_code, 0);
  // A BI team's view over the marts, in its own schema, owned by its own role.
  auto bi = make_role("bi");
  db.execute("create schema bi authorization \"" + bi +
             "\"; grant usage on schema analytics to \"" + bi +
             "\"; grant select on analytics.fct_orders to \"" + bi + "\"; set role \"" + bi +
             "\"; create view bi.order_count as select count(*) as orders from "
             "analytics.fct_orders; reset role");
  auto before = production_fingerprint();
  auto orders = db.value("select orders from bi.order_count");

  auto r = run(spec("two"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  EXPECT_EQ(r.status["deployment"]["swapped"], false);
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("view bi.order_count (owner " + bi + ") on analytics.fct_orders"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("make them models of this project"), std::string::npos) << message;
  EXPECT_NE(message.find("Production is untouched"), std::string::npos) << message;
  EXPECT_EQ(production_fingerprint(), before);
  EXPECT_EQ(markers(), "one/one");
  EXPECT_FALSE(db.schema_exists("analytics__kubedbt_previous"));
  // The view still reads production, not a backup.
  EXPECT_EQ(db.value("select pg_get_viewdef('bi.order_count'::regclass)").find("__kubedbt"),
            std::string::npos);
  EXPECT_EQ(db.value("select orders from bi.order_count"), orders);

  // The fix the message gives: without the view, the swap goes through.
  db.execute("drop view bi.order_count");
  ASSERT_EQ(deploy("three").exit_code, 0);
  EXPECT_EQ(markers(), "three/three");
}

TEST_F(BlueGreenTest, MaterializedViewsAndForeignTablesSwapBackAndForth) {
  // A foreign table the project builds: a file_fdw table over one CSV file per build marker, in a
  // folder the server's own user can read.
  std::filesystem::permissions(dir.path(), std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add);
  auto files = dir.path() / "markers";
  std::filesystem::create_directories(files);
  std::filesystem::permissions(
      files, std::filesystem::perms::others_read | std::filesystem::perms::others_exec,
      std::filesystem::perm_options::add);
  for (const auto* marker : {"one", "two", "three"}) {
    write_file(files / (std::string(marker) + ".csv"), std::string(marker) + "\n");
    std::filesystem::permissions(files / (std::string(marker) + ".csv"),
                                 std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
  }
  db.execute("create extension file_fdw; create server marker_files foreign data wrapper file_fdw");
  write_file(project / "macros/foreign_table.sql",
             "{% materialization foreign_table, adapter='postgres' %}\n"
             "{%- set relation = this.incorporate(type='table') -%}\n"
             "{% call statement('main') -%}\n"
             "create foreign table {{ relation }} (marker text) server marker_files\n"
             "options (filename '{{ config.get('filename') }}', format 'csv')\n"
             "{%- endcall %}\n"
             "{{ adapter.commit() }}\n"
             "{{ return({'relations': [relation]}) }}\n"
             "{% endmaterialization %}\n");
  write_file(project / "models/marts/marker_file.sql",
             "{{ config(materialized='foreign_table', filename=var('marker_files') ~ '/' ~ "
             "var('build_marker') ~ '.csv') }}\nselect 1 as unused\n");
  write_file(project / "models/marts/marker_mv.sql",
             "{{ config(materialized='materialized_view') }}\n"
             "select marker from {{ ref('marker_a') }}\n");
  auto deploy_with_files = [&](const std::string& marker) {
    auto s = spec(marker);
    s["vars"]["marker_files"] = files.string();
    auto r = run(s);
    EXPECT_EQ(r.exit_code, 0) << r.status.dump(2) << "\n" << r.err;
    return r.exit_code;
  };
  auto built = [&](const std::string& schema) {
    return db.value("select m.marker || '/' || f.marker from \"" + schema + "\".marker_mv m, \"" +
                    schema + "\".marker_file f");
  };

  ASSERT_EQ(deploy_with_files("one"), 0);
  EXPECT_EQ(built("analytics"), "one/one");
  EXPECT_EQ(
      db.value("select string_agg(relname || ':' || relkind::text, ',' order by relname) from "
               "pg_class where relnamespace = 'analytics'::regnamespace and relname in "
               "('marker_mv', 'marker_file')"),
      "marker_file:f,marker_mv:m");

  ASSERT_EQ(deploy_with_files("two"), 0);
  EXPECT_EQ(built("analytics"), "two/two");
  EXPECT_EQ(built("analytics__kubedbt_previous"), "one/one");

  auto back = roll_back();
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(built("analytics"), "one/one");
  EXPECT_EQ(built("analytics__kubedbt_previous"), "two/two");
  auto forward = roll_back();
  ASSERT_EQ(forward.exit_code, 0) << forward.err;
  EXPECT_EQ(built("analytics"), "two/two");

  // The next swap drops the backup holding a materialized view and a foreign table.
  ASSERT_EQ(deploy_with_files("three"), 0);
  EXPECT_EQ(built("analytics"), "three/three");
  EXPECT_EQ(built("analytics__kubedbt_previous"), "two/two");
}

TEST_F(BlueGreenTest, ObjectsTheProjectDoesNotBuildStayInProduction) {
  ASSERT_EQ(deploy("one").exit_code, 0);
  // A team keeps its own table, a view over it and a function in the marts schema.
  auto team = make_role("team");
  db.execute("grant create, usage on schema analytics to \"" + team + "\"; set role \"" + team +
             "\"; create table analytics.targets (month text, orders int); insert into "
             "analytics.targets values ('2026-11', 40), ('2026-12', 45); create view "
             "analytics.december_target as select orders from analytics.targets where month = "
             "'2026-12'; create function analytics.double_it(n int) returns int language sql "
             "as 'select 2 * n'; reset role");
  auto kept = [&] {
    return db.value(
        "select (select count(*) from analytics.targets) || '/' || (select orders from "
        "analytics.december_target) || '/' || analytics.double_it(21) || '/' || "
        "pg_get_userbyid(relowner) from pg_class where oid = 'analytics.targets'::regclass");
  };
  const auto expected = "2/45/42/" + team;
  ASSERT_EQ(kept(), expected);

  ASSERT_EQ(deploy("two").exit_code, 0);
  EXPECT_EQ(markers(), "two/two");
  EXPECT_EQ(kept(), expected);
  EXPECT_EQ(db.value("select to_regclass('analytics__kubedbt_previous.targets') is null"), "t");

  ASSERT_EQ(roll_back().exit_code, 0);
  EXPECT_EQ(markers(), "one/one");
  EXPECT_EQ(kept(), expected);
  ASSERT_EQ(roll_back().exit_code, 0);
  EXPECT_EQ(markers(), "two/two");
  EXPECT_EQ(kept(), expected);

  auto s = spec("three");
  s["deployment"]["keepPrevious"] = false;
  ASSERT_EQ(run(s).exit_code, 0);
  EXPECT_EQ(markers(), "three/three");
  EXPECT_EQ(kept(), expected);
  EXPECT_EQ(schemas(), kProduction);

  // A view of its own over a model would follow the model into the backup: refused, named.
  db.execute("grant select on analytics.fct_orders to \"" + team + "\"; set role \"" + team +
             "\"; create view analytics.my_orders as select * from analytics.fct_orders; "
             "reset role");
  auto before = production_fingerprint();
  auto refused = run(spec("four"));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  auto message = refused.status["message"].get<std::string>();
  EXPECT_NE(message.find("view analytics.my_orders (owner " + team + ") on analytics.fct_orders"),
            std::string::npos)
      << message;
  EXPECT_EQ(production_fingerprint(), before);
  EXPECT_EQ(kept(), expected);
}

TEST_F(BlueGreenTest, BackupsAreDroppedWithoutCascade) {
  ASSERT_EQ(deploy("one").exit_code, 0);
  ASSERT_EQ(deploy("two").exit_code, 0);
  // An analyst compares production with yesterday's build, straight from the backup.
  auto analyst = make_role("analyst");
  db.execute("create schema audit authorization \"" + analyst +
             "\"; grant usage on schema analytics__kubedbt_previous to \"" + analyst +
             "\"; grant select on analytics__kubedbt_previous.marker_a to \"" + analyst +
             "\"; set role \"" + analyst +
             "\"; create view audit.yesterday as select marker from "
             "analytics__kubedbt_previous.marker_a; reset role");
  auto before = production_fingerprint();

  // The next swap must drop that backup first: refused, the view named, nothing changed.
  auto refused = run(spec("three"));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  auto message = refused.status["message"].get<std::string>();
  EXPECT_NE(message.find("schema analytics__kubedbt_previous cannot be dropped"), std::string::npos)
      << message;
  EXPECT_NE(message.find("view audit.yesterday (owner " + analyst +
                         ") on analytics__kubedbt_previous.marker_a"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("never drops them with CASCADE"), std::string::npos) << message;
  EXPECT_EQ(production_fingerprint(), before);
  EXPECT_EQ(db.value("select marker from audit.yesterday"), "one");

  // A table someone put into the backup is not the backup's to drop either.
  db.execute("drop view audit.yesterday; create table analytics__kubedbt_previous.notes (n text)");
  auto s = spec("three");
  s["deployment"]["keepPrevious"] = false;
  refused = run(s);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  message = refused.status["message"].get<std::string>();
  EXPECT_NE(message.find("holds objects no kubedbt build put there, which kubedbt does not "
                         "drop: table analytics__kubedbt_previous.notes"),
            std::string::npos)
      << message;
  EXPECT_EQ(production_fingerprint(), before);
  EXPECT_EQ(db.value("select to_regclass('analytics__kubedbt_previous.notes') is not null"), "t");

  // Once both are gone, the backup goes (one kind at a time, no CASCADE) and so does the new one.
  db.execute("drop table analytics__kubedbt_previous.notes");
  auto r = run(s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(markers(), "three/three");
  EXPECT_EQ(schemas(), kProduction);
}

TEST_F(BlueGreenTest, BackupsOfAnOlderRunnerLoseNothingEither) {
  ASSERT_EQ(deploy("one").exit_code, 0);
  ASSERT_EQ(deploy("two").exit_code, 0);
  // What a runner before this one left: a backup marker without the lists of built objects, and a
  // team's table its swap moved out of production into the backup.
  db.execute(
      "comment on schema analytics__kubedbt_previous is 'kubedbt:previous "
      "{\"production\": \"analytics\", \"target\": \"" +
      db.name() +
      ".analytics\"}'; create table analytics__kubedbt_previous.targets (orders int); "
      "insert into analytics__kubedbt_previous.targets values (45); create table "
      "analytics.notes (note text)");

  auto refused = run(spec("three"));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  auto message = refused.status["message"].get<std::string>();
  EXPECT_NE(message.find("kubedbt does not drop: table analytics__kubedbt_previous.targets"),
            std::string::npos)
      << message;
  EXPECT_EQ(markers(), "two/two");

  // A rollback keeps in production what the backup does not have.
  auto back = roll_back();
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(markers(), "one/one");
  EXPECT_EQ(db.value("select to_regclass('analytics.notes') is not null"), "t");
  EXPECT_EQ(db.value("select orders from analytics.targets"), "45");
}

TEST_F(BlueGreenTest, RefusesAGenerateSchemaNameThatGivesStagingAProductionSchema) {
  // Custom schemas used verbatim: the staging seeds would be built straight into "reference".
  write_file(project / "macros/generate_schema_name.sql",
             "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
             "{%- if custom_schema_name is none -%}{{ target.schema }}"
             "{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}\n"
             "{%- endmacro %}\n");
  auto r = run(spec("one"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("generate_schema_name"), std::string::npos) << message;
  EXPECT_NE(message.find("production is untouched"), std::string::npos) << message;
  EXPECT_FALSE(db.schema_exists("reference"));
  EXPECT_FALSE(db.schema_exists("analytics"));
}

}  // namespace
}  // namespace kubedbt::testing
