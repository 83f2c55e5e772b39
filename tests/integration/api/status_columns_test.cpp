// Status written through the status subresource shows in the `kubectl get` columns; the
// subresource keeps spec and status apart; a DbtRun's spec is immutable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/dbt_project.h"
#include "api/dbt_run.h"
#include "api/dbt_schedule.h"
#include "tests/integration/api/crd_fixture.h"

namespace kubedbt::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ApiStatusColumnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    install_crds();
    CommandResult applied = TestCluster::get().kubectl(
        {"-n", ns_.name(), "apply", "-f", source_path("examples/manifests")});
    ASSERT_EQ(applied.exit_code, 0) << applied.err;
  }

  void patch_status(const std::string& resource, const std::string& name, const json& status) {
    CommandResult r = TestCluster::get().kubectl({"-n", ns_.name(), "patch", resource, name,
                                                  "--subresource=status", "--type=merge", "-p",
                                                  json{{"status", status}}.dump()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::unique_ptr<kube::Client> client_ = TestCluster::get().admin_client();
  TestNamespace ns_{*client_, "api-status"};
};

api::Timestamp at(const char* text) { return *api::parse_timestamp(text); }

TEST_F(ApiStatusColumnsTest, ScheduleColumnsAnswerTheMorningCheck) {
  auto row = get_row(ns_.name(), "dbtschedule", "shop-nightly");
  EXPECT_EQ(cell(row, "SCHEDULE"), "0 6 * * *");
  EXPECT_EQ(cell(row, "SUSPEND"), "false");
  EXPECT_EQ(cell(row, "LAST RUN"), "");

  api::DbtScheduleStatus status;
  status.target = "prod";
  status.next_schedule_time = at("2030-01-02T05:00:00Z");
  api::RunSummary summary;
  summary.tests.fail = 3;
  status.last_run = api::RunReference{
      "shop-nightly-1", api::RunPhase::Failed, std::nullopt, std::nullopt, "11m55s", summary};
  status.last_successful_run = api::RunReference{"shop-nightly-0", api::RunPhase::Succeeded,
                                                 std::nullopt,     at("2020-01-01T05:10:00Z"),
                                                 std::nullopt,     std::nullopt};
  status.freshness = api::FreshnessState::Warn;
  patch_status("dbtschedule", "shop-nightly", api::encode(status));

  row = get_row(ns_.name(), "dbtschedule", "shop-nightly");
  EXPECT_EQ(cell(row, "TARGET"), "prod");
  EXPECT_EQ(cell(row, "LAST RUN"), "Failed");
  EXPECT_THAT(cell(row, "LAST SUCCESS"),
              ::testing::ContainsRegex("^[0-9]+y"));  // an age, e.g. 6y330d
  EXPECT_EQ(cell(row, "TESTS FAILED"), "3");
  EXPECT_EQ(cell(row, "FRESHNESS"), "Warn");
  EXPECT_EQ(cell(row, "NEXT"), "2030-01-02T05:00:00Z");
  EXPECT_NE(cell(row, "AGE"), "");

  auto wide = get_row(ns_.name(), "dbtschedule", "shop-nightly", {"-o", "wide"});
  EXPECT_EQ(cell(wide, "TIME ZONE"), "Europe/Berlin");
}

TEST_F(ApiStatusColumnsTest, RunColumnsShowPhaseProgressAndResults) {
  api::DbtRunStatus status;
  status.phase = api::RunPhase::Running;
  status.target = "dev";
  status.progress = api::Progress{12, 40, "model.shop.fct_orders"};
  api::RunSummary summary;
  summary.models.success = 11;
  summary.tests.fail = 1;
  status.summary = summary;
  status.duration = "3m2s";
  status.message = "1 data test failed so far";
  patch_status("dbtrun", "shop-ci-pr-42", api::encode(status));

  auto row = get_row(ns_.name(), "dbtrun", "shop-ci-pr-42");
  EXPECT_EQ(cell(row, "PROJECT"), "shop");
  EXPECT_EQ(cell(row, "TARGET"), "dev");
  EXPECT_EQ(cell(row, "PHASE"), "Running");
  EXPECT_EQ(cell(row, "PROGRESS"), "12/40");
  EXPECT_EQ(cell(row, "MODELS"), "11");
  EXPECT_EQ(cell(row, "TESTS FAILED"), "1");
  EXPECT_EQ(cell(row, "DURATION"), "3m2s");
  EXPECT_EQ(cell(row, "FRESHNESS"), "") << "no source checked yet";

  summary.freshness = {5, 1, 0};
  status.summary = summary;
  status.anomalies = {{api::AnomalyKind::Duration, std::nullopt, "took 9m, median 2m"}};
  status.deferral = api::DeferralStatus{"prod", true};
  patch_status("dbtrun", "shop-ci-pr-42", api::encode(status));
  row = get_row(ns_.name(), "dbtrun", "shop-ci-pr-42");
  EXPECT_EQ(cell(row, "FRESHNESS"), "Warn");
  auto wide = get_row(ns_.name(), "dbtrun", "shop-ci-pr-42", {"-o", "wide"});
  EXPECT_EQ(cell(wide, "MESSAGE"), "1 data test failed so far");
}

TEST_F(ApiStatusColumnsTest, ProjectColumnsShowReadinessAndTargets) {
  api::DbtProjectStatus status;
  api::set_condition(status.conditions,
                     api::Condition{"Ready",
                                    api::ConditionStatus::False,
                                    "SecretMissing",
                                    "Secret shop-warehouse has no key password",
                                    1,
                                    {}},
                     at("2026-01-01T00:00:00Z"));
  status.targets = {{"dev", false, "shop", "dev_shop"}, {"prod", true, "shop", "analytics"}};
  patch_status("dbtproject", "shop", api::encode(status));

  auto row = get_row(ns_.name(), "dbtproject", "shop", {"-o", "wide"});
  EXPECT_EQ(cell(row, "READY"), "False");
  EXPECT_EQ(cell(row, "REASON"), "SecretMissing");
  EXPECT_EQ(cell(row, "TARGETS"), "dev,prod");
  EXPECT_EQ(cell(row, "DEFAULT"), "dev");
}

TEST_F(ApiStatusColumnsTest, StatusSubresourceKeepsSpecAndStatusApart) {
  // Status sent with the main resource is dropped ...
  json run = get_json(ns_.name(), "dbtrun", "shop-ci-pr-42");
  run["status"] = {{"phase", "Succeeded"}};
  run["metadata"]["labels"]["extra"] = "label";
  CommandResult replaced =
      TestCluster::get().kubectl({"-n", ns_.name(), "replace", "-f", "-"}, run.dump());
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_FALSE(get_json(ns_.name(), "dbtrun", "shop-ci-pr-42").contains("status"));
  // ... and spec sent to the status subresource is ignored.
  CommandResult patched = TestCluster::get().kubectl(
      {"-n", ns_.name(), "patch", "dbtrun", "shop-ci-pr-42", "--subresource=status", "--type=merge",
       "-p", R"({"spec": {"target": "prod"}, "status": {"phase": "Pending"}})"});
  ASSERT_EQ(patched.exit_code, 0) << patched.err;
  json stored = get_json(ns_.name(), "dbtrun", "shop-ci-pr-42");
  EXPECT_EQ(stored["spec"]["target"], "dev");
  EXPECT_EQ(stored["status"]["phase"], "Pending");
}

TEST_F(ApiStatusColumnsTest, StatusIsValidatedToo) {
  CommandResult r = TestCluster::get().kubectl(
      {"-n", ns_.name(), "patch", "dbtrun", "shop-ci-pr-42", "--subresource=status", "--type=merge",
       "-p", R"({"status": {"phase": "Exploded"}})"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("status.phase: Unsupported value: \"Exploded\""));
}

TEST_F(ApiStatusColumnsTest, RunSpecCannotChangeAfterCreation) {
  json run = get_json(ns_.name(), "dbtrun", "shop-ci-pr-42");
  run["spec"]["target"] = "prod";
  CommandResult r =
      TestCluster::get().kubectl({"-n", ns_.name(), "replace", "-f", "-"}, run.dump());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("spec: Forbidden: spec of a DbtRun cannot change after creation; "
                               "create a new DbtRun instead"));
  // Metadata still can (the operator adds finalizers and labels).
  run = get_json(ns_.name(), "dbtrun", "shop-ci-pr-42");
  run["metadata"]["labels"]["reviewed"] = "yes";
  r = TestCluster::get().kubectl({"-n", ns_.name(), "replace", "-f", "-"}, run.dump());
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace kubedbt::testing
