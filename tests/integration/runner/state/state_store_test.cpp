// The state store end to end with the real runner, dbt and PostgreSQL: migrations racing, what a
// run stores (artifacts, production manifest, built schemas, partial-parse cache), store failures
// that must not fail a build, and no secret in anything stored.
#include "runner/state/state_store.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "runner/state/artifact_codec.h"
#include "runner/state/state_migrations.h"
#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;

runner::TargetSpec store_target(const TestDatabase& db) {
  const auto& server = PostgresServer::get();
  runner::TargetSpec t;
  t.name = "dev";
  t.host = server.host;
  t.port = server.port;
  t.user = server.user;
  t.dbname = db.name();
  t.schema = "analytics";
  return t;
}

// Every stored artifact, decompressed: name -> content.
std::map<std::string, std::string> stored_artifacts(const TestDatabase& db, int64_t run_id) {
  pqxx::connection c(PostgresServer::get().connection_string(db.name()));
  pqxx::read_transaction tx(c);
  std::map<std::string, std::string> out;
  for (const auto& row : tx.exec_params(
           "select name, encoding, content from kubedbt_dev.artifacts where run_id = $1", run_id)) {
    auto bytes = pqxx::binarystring(row[2]).str();
    out[row[0].as<std::string>()] =
        row[1].as<std::string>() == "zlib" ? runner::decompress_artifact(bytes) : bytes;
  }
  return out;
}

// Every byte the store holds, bytea decompressed where compressed, text columns as text.
std::string everything_stored(const TestDatabase& db) {
  pqxx::connection c(PostgresServer::get().connection_string(db.name()));
  pqxx::read_transaction tx(c);
  std::string all;
  for (const auto& row : tx.exec("select encoding, content from kubedbt_dev.artifacts")) {
    auto bytes = pqxx::binarystring(row[1]).str();
    all += row[0].as<std::string>() == "zlib" ? runner::decompress_artifact(bytes) : bytes;
  }
  for (const char* table : {"production_manifests", "partial_parse_cache"}) {
    const char* column = std::string(table) == "production_manifests" ? "manifest" : "content";
    for (const auto& row :
         tx.exec(std::string("select ") + column + " from kubedbt_dev." + table)) {
      all += runner::decompress_artifact(pqxx::binarystring(row[0]).str());
    }
  }
  for (const char* table : {"runs", "run_nodes", "built_schemas", "schema_migrations"}) {
    for (const auto& row :
         tx.exec(std::string("select t::text from kubedbt_dev.") + table + " t")) {
      all += row[0].as<std::string>();
    }
  }
  return all;
}

class StateStoreTest : public ::testing::Test {
 protected:
  TestDatabase db{"state"};
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
  }
};

TEST_F(StateStoreTest, MigrationsRacingFromManyConnectionsApplyEachVersionOnce) {
  constexpr int kRacers = 8;
  std::vector<std::vector<int>> applied(kRacers);
  std::vector<std::string> errors(kRacers);
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      try {
        runner::StateStore store(store_target(db), PostgresServer::get().password, "kubedbt");
        applied[i] = store.migrate();
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : racers) t.join();
  size_t total = 0;
  for (int i = 0; i < kRacers; ++i) {
    EXPECT_EQ(errors[i], "") << "racer " << i;
    total += applied[i].size();
  }
  const auto expected = runner::state_migrations().size();
  EXPECT_EQ(total, expected);
  EXPECT_EQ(db.value("select count(*) from kubedbt.schema_migrations"), std::to_string(expected));
  runner::StateStore again(store_target(db), PostgresServer::get().password, "kubedbt");
  EXPECT_TRUE(again.migrate().empty());
  EXPECT_EQ(db.value("select max(version) from kubedbt.schema_migrations"),
            std::to_string(runner::state_migrations().back().version));
}

TEST_F(StateStoreTest, TwoRunnersStartingTogetherOnAFreshDatabaseBothRecordTheirRun) {
  RunnerResult a, b;
  TempDir root_a, root_b;
  std::thread first([&] { a = run_runner(dev_spec(db, project, "analytics_a"), root_a.path()); });
  std::thread second([&] { b = run_runner(dev_spec(db, project, "analytics_b"), root_b.path()); });
  first.join();
  second.join();
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.runs where phase = 'Succeeded'"), "2");
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.schema_migrations"),
            std::to_string(runner::state_migrations().size()));
}

TEST_F(StateStoreTest, ASuccessfulRunStoresItsArtifactsAndBecomesTheProductionManifest) {
  auto spec = dev_spec(db, project);
  spec["commands"] = {"source freshness", "build"};
  spec["state"] = {{"schema", "kubedbt"}};
  auto r = run_runner(spec, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto run_id = std::stoll(db.value("select id from kubedbt_dev.runs"));
  auto artifacts = stored_artifacts(db, run_id);
  std::set<std::string> names;
  for (const auto& [name, content] : artifacts) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"01-freshness-sources.json", "02-build-run_results.json",
                                          "manifest.json"}));
  // The manifest is the one dbt wrote, stored compressed.
  EXPECT_EQ(artifacts["manifest.json"], read_text(r.work_dir / "target" / "manifest.json"));
  EXPECT_EQ(db.value("select encoding from kubedbt_dev.artifacts where name = 'manifest.json'"),
            "zlib");
  EXPECT_EQ(db.value("select bool_and(octet_length(content) * 4 < size_bytes) from "
                     "kubedbt_dev.artifacts where name = 'manifest.json'"),
            "t");
  // sources.json of the freshness command is there with its three sources.
  auto sources = json::parse(artifacts["01-freshness-sources.json"]);
  EXPECT_EQ(sources["results"].size(), 3u);
  // The run's invocation is the build's, as in its run_results.json.
  auto run_results = read_json_file(r.work_dir / "target" / "run_results.json");
  auto invocation = run_results["metadata"]["invocation_id"].get<std::string>();
  EXPECT_EQ(db.value("select invocation_id from kubedbt_dev.runs"), invocation);
  EXPECT_NE(r.err.find("\"store\":\"" + db.name() + ".kubedbt_dev\""), std::string::npos);
  // dev without a schema override: its manifest is the target's production manifest.
  EXPECT_EQ(db.value("select project || '/' || target || '/' || run_id || '/' || invocation_id "
                     "from kubedbt_dev.production_manifests"),
            "shop/dev/" + std::to_string(run_id) + "/" + invocation);
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.built_schemas"), "0");
}

TEST_F(StateStoreTest, OnlyASwapKeepsTheManifestItReplacesAndARollbackTradesThePair) {
  runner::StateStore store(store_target(db), PostgresServer::get().password, "kubedbt");
  store.migrate();
  auto record = [&](const std::string& invocation, bool swapped) {
    runner::RunRecording r;
    r.history.project = "shop";
    r.history.target = "prod";
    r.history.invocation_id = invocation;
    r.history.phase = "Succeeded";
    r.history.dbt_version = "1.11.0";
    r.production_manifest = R"({"metadata": {"invocation_id": ")" + invocation + "\"}}";
    r.swapped = swapped;
    store.record(r);
  };
  auto stored = [&] {
    return db.value(
        "select invocation_id || '/' || coalesce(previous_invocation_id, '-') from "
        "kubedbt.production_manifests");
  };
  auto trade = [&] {
    pqxx::connection connection(PostgresServer::get().connection_string(db.name()));
    pqxx::work tx(connection);
    bool traded = runner::swap_production_manifests(tx, "kubedbt", "shop", "prod");
    tx.commit();
    return traded;
  };
  record("one", true);
  EXPECT_EQ(stored(), "one/-");
  EXPECT_FALSE(trade()) << "nothing kept to roll back to";
  EXPECT_EQ(stored(), "one/-");
  record("two", true);
  EXPECT_EQ(stored(), "two/one");
  // A production run that swapped nothing replaces the current manifest and keeps the backup's.
  record("tests-only", false);
  EXPECT_EQ(stored(), "tests-only/one");
  EXPECT_TRUE(trade());
  EXPECT_EQ(stored(), "one/tests-only");
  EXPECT_EQ(json::parse(
                *store.production_manifest("kubedbt", "shop", "prod"))["metadata"]["invocation_id"],
            "one");
  EXPECT_TRUE(trade());
  EXPECT_EQ(stored(), "tests-only/one");
}

TEST_F(StateStoreTest, AFailedRunIsRecordedButNeverBecomesTheProductionManifest) {
  ASSERT_EQ(run_runner(dev_spec(db, project), dir.path()).exit_code, 0);
  auto production_run = db.value("select run_id from kubedbt_dev.production_manifests");
  write_file(project / "models/marts/broken.sql", "select 1 / 0 as boom\n");
  TempDir second;
  auto r = run_runner(dev_spec(db, project), second.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(db.value("select string_agg(phase, ',' order by id) from kubedbt_dev.runs"),
            "Succeeded,Failed");
  EXPECT_EQ(db.value("select run_id from kubedbt_dev.production_manifests"), production_run);
  EXPECT_EQ(
      db.value("select n.status from kubedbt_dev.run_nodes n join kubedbt_dev.runs r on r.id = "
               "n.run_id where r.phase = 'Failed' and n.unique_id = 'model.shop.broken'"),
      "error");
}

TEST_F(StateStoreTest, ARunInItsOwnSchemaRecordsTheSchemasItBuiltAndStaysOutOfProduction) {
  auto spec = dev_spec(db, project);
  spec["schema"] = "pr_7";
  auto r = run_runner(spec, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // profiles.yml carried the run's schema: the models and the seed's custom schema landed there.
  EXPECT_TRUE(db.schema_exists("pr_7"));
  EXPECT_TRUE(db.schema_exists("pr_7_reference"));
  EXPECT_FALSE(db.schema_exists("analytics"));
  EXPECT_EQ(db.value("select string_agg(project || ':' || run_schema || ':' || schema, ',' order "
                     "by schema) from kubedbt_dev.built_schemas"),
            "shop:pr_7:pr_7,shop:pr_7:pr_7_reference");
  EXPECT_EQ(db.value("select run_schema from kubedbt_dev.runs"), "pr_7");
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.production_manifests"), "0");
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.artifacts where name = 'manifest.json'"),
            "1");
}

TEST_F(StateStoreTest, APartialParseIsRestoredIntoAFreshWorkspaceAndDbtReusesIt) {
  auto first = run_runner(dev_spec(db, project), dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto first_log = read_text(first.work_dir / "logs" / "dbt.log");
  EXPECT_NE(first_log.find("Unable to do partial parsing because saved manifest not found"),
            std::string::npos);
  EXPECT_EQ(db.value("select dbt_version || ':' || target || ':' || run_schema from "
                     "kubedbt_dev.partial_parse_cache"),
            "1.11.16:dev:");

  // A fresh pod: a new work folder and a fresh copy of the project elsewhere.
  TempDir pod;
  auto fresh_project = pod.path() / "shop";
  copy_shop_project(fresh_project);
  auto second = run_runner(dev_spec(db, fresh_project), pod.path());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto second_log = read_text(second.work_dir / "logs" / "dbt.log");
  EXPECT_EQ(second_log.find("Unable to do partial parsing"), std::string::npos) << second_log;
  EXPECT_NE(second_log.find("Partial parsing enabled"), std::string::npos);
  EXPECT_NE(second.err.find("partial parse restored"), std::string::npos);

  // Other vars are another cache entry: dbt parses from scratch and the runner saves it.
  TempDir third;
  auto spec = dev_spec(db, fresh_project);
  spec["vars"] = {{"dev_window_days", 30}};
  auto r = run_runner(spec, third.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_text(r.work_dir / "logs" / "dbt.log").find("Unable to do partial parsing"),
            std::string::npos);
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.partial_parse_cache"), "2");
}

TEST_F(StateStoreTest, AStoreFailureAfterDbtRanKeepsTheBuildSucceededAndSaysSo) {
  {
    runner::StateStore store(store_target(db), PostgresServer::get().password, "kubedbt_dev");
    store.migrate();
  }
  db.execute(
      "create function kubedbt_dev.refuse() returns trigger language plpgsql as $$ begin raise "
      "exception 'the store refuses writes today'; end $$; create trigger refuse before insert on "
      "kubedbt_dev.runs for each row execute function kubedbt_dev.refuse()");
  auto r = run_runner(dev_spec(db, project), dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["phase"], "Succeeded");
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("The state store " + db.name() + ".kubedbt_dev could not record this run"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("the store refuses writes today"), std::string::npos) << message;
  EXPECT_EQ(db.value("select count(*) from analytics.stg_orders"), "1000");
}

TEST_F(StateStoreTest, AStoreThatCannotBePreparedFailsTheRunBeforeDbtNamingTheFix) {
  // A user that may connect but not create schemas (PostgreSQL grants CREATE on a database to
  // nobody by default).
  const std::string role = db.name() + "_limited";
  execute_on_server("create role \"" + role + "\" login password 'limited-pass'");
  execute_on_server("grant connect on database \"" + db.name() + "\" to \"" + role + "\"");
  auto spec = dev_spec(db, project);
  spec["target"]["user"] = role;
  RunnerOptions options;
  options.with_password = false;
  options.env[kPasswordEnv] = "limited-pass";
  auto r = run_runner(spec, dir.path(), options);
  execute_on_server("revoke connect on database \"" + db.name() + "\" from \"" + role + "\"");
  execute_on_server("drop role \"" + role + "\"");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("cannot prepare the state store " + db.name() + ".kubedbt_dev"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("GRANT CREATE ON DATABASE " + db.name() + " TO " + role),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("CREATE SCHEMA kubedbt_dev AUTHORIZATION " + role), std::string::npos)
      << message;
  EXPECT_FALSE(std::filesystem::exists(r.work_dir / "target" / "run_results.json"));
}

TEST_F(StateStoreTest, NoSecretIsEverStored) {
  const auto& secret = PostgresServer::get().password;
  auto spec = dev_spec(db, project);
  spec["commands"] = {"source freshness", "build"};
  ASSERT_EQ(run_runner(spec, dir.path()).exit_code, 0);
  write_file(project / "models/marts/broken.sql", "select 1 / 0 as boom\n");
  TempDir second;
  spec["schema"] = "pr_9";
  EXPECT_EQ(run_runner(spec, second.path()).exit_code, 1);
  auto stored = everything_stored(db);
  EXPECT_GT(stored.size(), 10000u);  // manifests, run results, sources, partial parse, history
  EXPECT_NE(stored.find("model.shop.fct_orders"), std::string::npos);
  EXPECT_EQ(stored.find(secret), std::string::npos);
}

}  // namespace
}  // namespace kubedbt::testing
