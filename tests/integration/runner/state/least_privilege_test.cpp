// The state store with least-privilege database users, as the README's quickstart sets them up:
// dev (dbt_dev) and prod (dbt) each keep their state in a schema of their own; with only "dev may
// read prod's schemas" granted by hand, prod runs, dev runs and Slim CI deferring to prod work,
// and dev credentials can read prod's production manifest and nothing else of prod's state.
// Also: state a one-user setup stored in the shared schema is taken over.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;

std::set<std::string> models_in(const json& run_results) {
  std::set<std::string> models;
  for (const auto& r : run_results.at("results")) {
    auto id = r.at("unique_id").get<std::string>();
    if (id.rfind("model.", 0) == 0) models.insert(id);
  }
  return models;
}

// The pull request's change: fct_orders only.
void change_fct_orders(const std::filesystem::path& project) {
  auto model = project / "models/marts/fct_orders.sql";
  auto sql = read_text(model);
  auto at = sql.find("coalesce(p.payment_count, 0) as payment_count");
  ASSERT_NE(at, std::string::npos);
  sql.insert(at, "1 as pull_request_marker,\n    ");
  write_file(model, sql);
}

// A database user of its own (LOGIN, CONNECT and CREATE on the test database), dropped with
// everything it owns at the end of the test.
class DatabaseUser {
 public:
  DatabaseUser(const TestDatabase& db, std::string name, std::string password)
      : db_(db), name_(std::move(name)), password_(std::move(password)) {
    execute_on_server("create role " + name_ + " login password '" + password_ + "'");
    execute_on_server("grant connect, create on database " + db_.name() + " to " + name_);
  }
  ~DatabaseUser() {
    db_.execute("drop owned by " + name_);
    execute_on_server("drop role " + name_);
  }
  const std::string& name() const { return name_; }
  const std::string& password() const { return password_; }

  RunnerOptions options(std::vector<std::string> args = {}) const {
    RunnerOptions o;
    o.with_password = false;
    o.env[kPasswordEnv] = password_;
    o.args = std::move(args);
    return o;
  }

  // A connection to the test database as this user.
  std::unique_ptr<pqxx::connection> connect() const {
    const auto& server = PostgresServer::get();
    return std::make_unique<pqxx::connection>(
        "host=" + server.host + " port=" + std::to_string(server.port) + " dbname=" + db_.name() +
        " user=" + name_ + " password=" + password_);
  }

 private:
  const TestDatabase& db_;
  std::string name_;
  std::string password_;
};

class LeastPrivilegeTest : public ::testing::Test {
 protected:
  TestDatabase db{"leastpriv"};
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";
  DatabaseUser dev{db, db.name() + "_dbt_dev", "dev-password-1"};
  DatabaseUser prod{db, db.name() + "_dbt", "prod-password-1"};

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
    // load_shop_raw_data ran after the users were made: let them read the raw tables.
    for (const auto* user : {&dev, &prod}) {
      db.execute("grant usage on schema raw to " + user->name() +
                 "; grant select on all tables in schema raw to " + user->name());
    }
  }

  // The nightly schedule's run: target prod, user dbt, schema analytics; the operator names the
  // project's other target users as readers of its production manifest.
  json prod_spec() const {
    auto spec = dev_spec(db, project, "analytics");
    spec["target"]["name"] = "prod";
    spec["target"]["user"] = prod.name();
    spec["target"]["protected"] = true;
    spec["state"] = {{"schema", "kubedbt"}, {"manifestReaders", {dev.name()}}};
    return spec;
  }

  json dev_run_spec() const {
    auto spec = dev_spec(db, project, "dev_shop");
    spec["target"]["user"] = dev.name();
    spec["state"] = {{"schema", "kubedbt"}, {"manifestReaders", {prod.name()}}};
    return spec;
  }

  // A pull request's Slim CI run: target dev, its own schema, deferred to prod.
  json ci_spec(const std::string& schema) const {
    auto spec = dev_run_spec();
    spec["schema"] = schema;
    spec["defer"] = {{"to", "prod"}};
    spec["select"] = "state:modified+";
    return spec;
  }

  RunnerResult run(const json& spec, const DatabaseUser& as, std::vector<std::string> args = {}) {
    work_dirs_.push_back(std::make_unique<TempDir>());
    return run_runner(spec, work_dirs_.back()->path(), as.options(std::move(args)));
  }

  // The one grant the README asks for: dev may read prod's schemas (the target's and its custom
  // schemas).
  void grant_dev_read_on_prod_schemas() {
    for (const char* schema : {"analytics", "analytics_reference"}) {
      db.execute(std::string("grant usage on schema ") + schema + " to " + dev.name() +
                 "; grant select on all tables in schema " + schema + " to " + dev.name());
    }
  }

  std::string owner_of(const std::string& schema) const {
    return db.value("select pg_get_userbyid(nspowner) from pg_namespace where nspname = '" +
                    schema + "'");
  }

  // Everything prod's state holds, as text, to prove an attack changed nothing.
  std::string prod_state_fingerprint() const {
    std::string all;
    for (const char* table : {"runs", "run_nodes", "artifacts", "production_manifests",
                              "partial_parse_cache", "built_schemas", "schema_migrations"}) {
      all += db.value(std::string("select count(*) || ':' || coalesce(md5(string_agg(t::text, "
                                  "'|' order by t::text)), '') from kubedbt_prod.") +
                      table + " t") +
             "\n";
    }
    return all;
  }

 private:
  std::vector<std::unique_ptr<TempDir>> work_dirs_;
};

// SQL run as `user` that the database must refuse for lack of privilege.
void expect_refused(const DatabaseUser& user, const std::string& sql) {
  auto connection = user.connect();
  pqxx::work tx(*connection);
  EXPECT_THROW(tx.exec(sql), pqxx::insufficient_privilege) << sql;
}

TEST_F(LeastPrivilegeTest, TwoUsersProdScheduleDevRunAndDeferredSlimCiWorkEndToEnd) {
  auto nightly = run(prod_spec(), prod);
  ASSERT_EQ(nightly.exit_code, 0) << nightly.err;
  EXPECT_EQ(owner_of("kubedbt_prod"), prod.name()) << "prod's state is prod's own";
  EXPECT_EQ(db.value("select count(*) from kubedbt_prod.production_manifests"), "1");
  grant_dev_read_on_prod_schemas();

  auto developer = run(dev_run_spec(), dev);
  ASSERT_EQ(developer.exit_code, 0) << developer.err;
  EXPECT_EQ(owner_of("kubedbt_dev"), dev.name());
  // dev builds only the last dev_window_days of orders.
  const auto dev_orders = db.value("select count(*) from dev_shop.fct_orders");
  EXPECT_GT(std::stoi(dev_orders), 0);
  EXPECT_LT(std::stoi(dev_orders), 1000);
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.runs"), "1");
  EXPECT_EQ(db.value("select count(*) from kubedbt_prod.runs"), "1") << "dev wrote nothing of prod";

  change_fct_orders(project);
  auto ci = run(ci_spec("ci_pr_1"), dev);
  ASSERT_EQ(ci.exit_code, 0) << ci.err;
  EXPECT_EQ(ci.status["deferral"], (json{{"to", "prod"}, {"manifestFound", true}}));
  EXPECT_EQ(models_in(read_json_file(ci.work_dir / "target" / "run_results.json")),
            (std::set<std::string>{"model.shop.fct_orders", "model.shop.dim_customers"}));
  // The changed model read prod's unchanged parents in analytics (no staging views of its own).
  EXPECT_EQ(db.value("select count(pull_request_marker) from ci_pr_1.fct_orders"), dev_orders);
  EXPECT_EQ(db.value("select count(*) from information_schema.tables where table_schema = "
                     "'ci_pr_1'"),
            "2");
  EXPECT_EQ(db.value("select string_agg(schema, ',') from kubedbt_dev.built_schemas"), "ci_pr_1");
  EXPECT_EQ(db.value("select count(*) from kubedbt_prod.runs"), "1");

  // The clean-up Job runs with the dev target's credentials and finds what the run recorded.
  auto cleanup = run(ci_spec("ci_pr_1"), dev, {"drop-schema"});
  ASSERT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_FALSE(db.schema_exists("ci_pr_1"));
  EXPECT_EQ(db.value("select count(*) from kubedbt_dev.built_schemas"), "0");

  // The next nightly run still owns and writes its state alone.
  auto again = run(prod_spec(), prod);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(db.value("select count(*) from kubedbt_prod.runs"), "2");
}

TEST_F(LeastPrivilegeTest, DevCredentialsReadProdsManifestAndNothingElseOfProdsState) {
  // A DBA's broad default privilege (everything dbt creates is readable by dev, state included),
  // and later a hand-made grant on prod's state: the next prod run takes back all but the manifest.
  db.execute("alter default privileges for role " + prod.name() + " grant select on tables to " +
             dev.name());
  ASSERT_EQ(run(prod_spec(), prod).exit_code, 0);
  db.execute("grant all on schema kubedbt_prod to " + dev.name() +
             "; grant all on all tables in schema kubedbt_prod to " + dev.name() +
             "; grant all on all sequences in schema kubedbt_prod to " + dev.name());
  auto second = run(prod_spec(), prod);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto before = prod_state_fingerprint();

  {
    auto connection = dev.connect();
    pqxx::read_transaction tx(*connection);
    auto rows =
        tx.exec("select target, length(manifest) > 1000 from kubedbt_prod.production_manifests");
    ASSERT_EQ(rows.size(), 1u) << "the manifest a deferred run reads";
    EXPECT_EQ(rows[0][0].as<std::string>(), "prod");
    EXPECT_TRUE(rows[0][1].as<bool>());
  }
  const std::string s = "kubedbt_prod.";
  for (const std::string& write : {
           "update " + s + "production_manifests set manifest = 'forged'",
           "insert into " + s +
               "production_manifests (project, target, run_id, invocation_id, dbt_version, "
               "manifest) values ('shop', 'ci', 1, 'x', 'x', 'forged')",
           "delete from " + s + "production_manifests",
           "truncate " + s + "production_manifests",
           "alter table " + s + "production_manifests add column forged int",
           "update " + s + "partial_parse_cache set content = 'forged'",
           "insert into " + s +
               "partial_parse_cache (project, target, run_schema, dbt_version, vars_hash, content) "
               "values ('shop', 'prod', '', '1.11.16', 'x', 'forged')",
           "delete from " + s + "partial_parse_cache",
           "insert into " + s +
               "runs (project, target, phase, started_at, finished_at, duration_seconds) values "
               "('shop', 'prod', 'Succeeded', now(), now(), 1)",
           "update " + s + "runs set phase = 'Failed'",
           "delete from " + s + "run_nodes",
           "update " + s + "artifacts set content = 'forged'",
           "insert into " + s +
               "built_schemas (project, run_schema, schema) values ('shop', "
               "'analytics', 'analytics')",
           "drop table " + s + "runs cascade",
           "create table " + s + "forged (x int)",
           "select nextval('" + s + "runs_id_seq')",
       }) {
    expect_refused(dev, write);
  }
  for (const std::string& read : {
           "select * from " + s + "production_manifests",
           "select previous_manifest from " + s + "production_manifests",
           "select * from " + s + "runs",
           "select * from " + s + "run_nodes",
           "select * from " + s + "artifacts",
           "select * from " + s + "partial_parse_cache",
           "select * from " + s + "built_schemas",
           "select * from " + s + "schema_migrations",
       }) {
    expect_refused(dev, read);
  }
  EXPECT_EQ(prod_state_fingerprint(), before);
}

TEST_F(LeastPrivilegeTest, DevCredentialsRunningAsTheProdTargetCannotTouchProdsState) {
  ASSERT_EQ(run(prod_spec(), prod).exit_code, 0);
  const auto before = prod_state_fingerprint();
  // A run spec that names target prod but carries dev's credentials (a pull request's pod).
  auto spec = prod_spec();
  spec["target"]["user"] = dev.name();
  spec["target"]["schema"] = "dev_shop";
  auto r = run(spec, dev);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("the state schema kubedbt_prod belongs to role " + prod.name() +
                         ", not to " + dev.name()),
            std::string::npos)
      << message;
  EXPECT_FALSE(std::filesystem::exists(r.work_dir / "target" / "run_results.json"));
  EXPECT_EQ(prod_state_fingerprint(), before);
}

TEST_F(LeastPrivilegeTest, AStateSchemaAnotherRoleCreatedFirstIsRefusedNamingItsOwner) {
  // dev squats prod's state schema before prod's first run, with a forged production manifest.
  {
    auto connection = dev.connect();
    pqxx::work tx(*connection);
    tx.exec(
        "create schema kubedbt_prod; create table kubedbt_prod.production_manifests (project "
        "text, target text, manifest bytea)");
    tx.commit();
  }
  auto r = run(prod_spec(), prod);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  auto message = r.status["message"].get<std::string>();
  EXPECT_NE(message.find("cannot use the state store " + db.name() +
                         ".kubedbt_prod: the state schema kubedbt_prod belongs to role " +
                         dev.name() + ", not to " + prod.name()),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("DROP SCHEMA \"kubedbt_prod\" CASCADE"), std::string::npos) << message;
  EXPECT_FALSE(db.schema_exists("analytics")) << "nothing was built";
}

TEST_F(LeastPrivilegeTest, MissingGrantsAreNamedInTheError) {
  // prod ran before the operator named dev as a reader: dev may not read the manifest yet.
  auto spec = prod_spec();
  spec["state"].erase("manifestReaders");
  ASSERT_EQ(run(spec, prod).exit_code, 0);
  auto unreadable = run(ci_spec("ci_pr_2"), dev);
  EXPECT_EQ(unreadable.exit_code, 2) << unreadable.err;
  auto message = unreadable.status["message"].get<std::string>();
  EXPECT_NE(message.find("GRANT USAGE ON SCHEMA kubedbt_prod TO " + dev.name() +
                         "; GRANT SELECT (project, target, manifest) ON "
                         "kubedbt_prod.production_manifests TO " +
                         dev.name()),
            std::string::npos)
      << message;

  // prod's next run shares its manifest; dev still may not read prod's schemas.
  ASSERT_EQ(run(prod_spec(), prod).exit_code, 0);
  auto no_read = run(ci_spec("ci_pr_2"), dev);
  EXPECT_EQ(no_read.exit_code, 2) << no_read.err;
  message = no_read.status["message"].get<std::string>();
  EXPECT_NE(message.find("GRANT USAGE ON SCHEMA analytics TO " + dev.name() +
                         "; GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO " + dev.name()),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("GRANT USAGE ON SCHEMA analytics_reference TO " + dev.name()),
            std::string::npos)
      << message;
  EXPECT_FALSE(db.schema_exists("ci_pr_2")) << "the run stopped before dbt";

  // A reader that is not a database user: prod's run succeeds and says so.
  spec = prod_spec();
  spec["state"]["manifestReaders"] = {dev.name(), "no_such_user"};
  auto typo = run(spec, prod);
  EXPECT_EQ(typo.exit_code, 0) << typo.err;
  message = typo.status["message"].get<std::string>();
  EXPECT_NE(message.find("Cannot let no_such_user read the production manifest in kubedbt_prod"),
            std::string::npos)
      << message;
}

// The one-user setup of the demo, upgraded: its state is in the shared schema "kubedbt", as the
// previous runner kept it (same migrations, so renaming a store made now reproduces it exactly).
class LegacyStateTest : public ::testing::Test {
 protected:
  TestDatabase db{"legacystate"};
  TempDir dir;
  std::filesystem::path project = dir.path() / "shop";

  void SetUp() override {
    db.load_shop_raw_data();
    copy_shop_project(project);
  }

  json prod_spec() const {
    auto spec = dev_spec(db, project, "analytics");
    spec["target"]["name"] = "prod";
    return spec;
  }

  RunnerResult run(const json& spec, std::vector<std::string> args = {}) {
    work_dirs_.push_back(std::make_unique<TempDir>());
    RunnerOptions options;
    options.args = std::move(args);
    return run_runner(spec, work_dirs_.back()->path(), options);
  }

  // A prod run stored in the shared schema, as before the upgrade.
  void legacy_prod_run() {
    auto before = run(prod_spec());
    ASSERT_EQ(before.exit_code, 0) << before.err;
    db.execute("alter schema kubedbt_prod rename to kubedbt");
  }

 private:
  std::vector<std::unique_ptr<TempDir>> work_dirs_;
};

TEST_F(LegacyStateTest, AOneUserSetupKeepsItsStoredStateAcrossTheUpgrade) {
  legacy_prod_run();
  const auto legacy_run = db.value("select id || '/' || invocation_id from kubedbt.runs");

  // Before prod runs again, Slim CI defers to the manifest in the shared schema.
  auto ci_spec = dev_spec(db, project, "dev_shop");
  ci_spec["schema"] = "ci_pr_1";
  ci_spec["defer"] = {{"to", "prod"}};
  ci_spec["select"] = "state:modified+";
  change_fct_orders(project);
  auto ci = run(ci_spec);
  ASSERT_EQ(ci.exit_code, 0) << ci.err;
  EXPECT_EQ(ci.status["deferral"]["manifestFound"], true);
  EXPECT_EQ(models_in(read_json_file(ci.work_dir / "target" / "run_results.json")),
            (std::set<std::string>{"model.shop.fct_orders", "model.shop.dim_customers"}));

  // prod's first run after the upgrade takes over prod's history, manifest and parse cache.
  auto upgraded = run(prod_spec());
  ASSERT_EQ(upgraded.exit_code, 0) << upgraded.err;
  EXPECT_NE(upgraded.err.find("Took over the state of target prod (1 runs) from the shared schema "
                              "kubedbt into kubedbt_prod."),
            std::string::npos)
      << upgraded.err;
  EXPECT_NE(upgraded.err.find("partial parse restored"), std::string::npos);
  EXPECT_EQ(db.value("select string_agg(id || '/' || invocation_id, ',' order by id) from "
                     "kubedbt_prod.runs where id = " +
                     legacy_run.substr(0, legacy_run.find('/'))),
            legacy_run)
      << "run ids are kept";
  EXPECT_EQ(db.value("select count(*) from kubedbt_prod.runs"), "2");
  EXPECT_EQ(db.value("select count(*) from kubedbt_prod.run_nodes where run_id = " +
                     legacy_run.substr(0, legacy_run.find('/'))),
            db.value("select count(*) from kubedbt.run_nodes"));
  EXPECT_EQ(db.value("select run_id from kubedbt_prod.production_manifests"),
            db.value("select max(id) from kubedbt_prod.runs"))
      << "the new run is production now";
  EXPECT_EQ(db.value("select count(*) from kubedbt.runs"), "1") << "the shared schema is left";
  // The CI run recorded into dev's own schema, not the shared one.
  EXPECT_EQ(db.value("select string_agg(schema, ',') from kubedbt_dev.built_schemas"), "ci_pr_1");
}

TEST_F(LegacyStateTest, AnOldCiRunsSchemasAreStillDroppedAfterTheUpgrade) {
  auto ci_spec = dev_spec(db, project, "dev_shop");
  ci_spec["schema"] = "ci_pr_5";
  auto ci = run(ci_spec);
  ASSERT_EQ(ci.exit_code, 0) << ci.err;
  // Stored by a runner from before schema users (migration 3): a version-2 store.
  db.execute(
      "alter schema kubedbt_dev rename to kubedbt; drop table kubedbt.schema_users; delete from "
      "kubedbt.schema_migrations where version > 2");
  // Any run of the dev target takes over what its CI runs recorded.
  ASSERT_EQ(run(dev_spec(db, project, "dev_shop")).exit_code, 0);
  auto cleanup = run(ci_spec, {"drop-schema"});
  ASSERT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_FALSE(db.schema_exists("ci_pr_5"));
  EXPECT_FALSE(db.schema_exists("ci_pr_5_reference")) << "the seeds' schema was recorded too";
  EXPECT_TRUE(db.schema_exists("dev_shop"));
}

TEST_F(LegacyStateTest, ASharedStoreOthersCouldWriteIsNotTakenOver) {
  legacy_prod_run();
  db.execute("grant insert on kubedbt.production_manifests to public");
  auto upgraded = run(prod_spec());
  ASSERT_EQ(upgraded.exit_code, 0) << upgraded.err;
  EXPECT_NE(upgraded.err.find("was not taken over into kubedbt_prod: roles other than its owner "
                              "could write it (PUBLIC)"),
            std::string::npos)
      << upgraded.err;
  EXPECT_EQ(db.value("select count(*) from kubedbt_prod.runs"), "1") << "only the new run";
}

}  // namespace
}  // namespace kubedbt::testing
