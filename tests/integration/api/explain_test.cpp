// `kubectl explain` teaches the fields from the CRD descriptions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/api/crd_fixture.h"

namespace kubedbt::testing {
namespace {

using ::testing::HasSubstr;

class ApiExplainTest : public ::testing::Test {
 protected:
  void SetUp() override { install_crds(); }

  // The API server publishes a new CRD's OpenAPI a moment after it is Established.
  std::string explain(const std::string& field, const std::string& expected) {
    CommandResult r;
    eventually(
        [&] {
          r = TestCluster::get().kubectl({"explain", field});
          return r.exit_code == 0 && r.out.find(expected) != std::string::npos;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(500));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
};

TEST_F(ApiExplainTest, TimeZone) {
  std::string out = explain("dbtschedule.spec.timeZone", "IANA time zone");
  EXPECT_THAT(out, HasSubstr("KIND:       DbtSchedule"));
  EXPECT_THAT(out, HasSubstr("FIELD: timeZone <string>"));
  EXPECT_THAT(out, HasSubstr("such as Europe/Berlin or\n    America/New_York"));
}

TEST_F(ApiExplainTest, ScheduleExplainsCronAndDaylightSaving) {
  std::string out = explain("dbtschedule.spec.schedule", "five fields");
  EXPECT_THAT(out, HasSubstr("@hourly"));
  EXPECT_THAT(out, HasSubstr("daylight-saving"));
}

TEST_F(ApiExplainTest, RunSchemaExplainsTheProtectedTargetRule) {
  std::string out = explain("dbtrun.spec.schema", "protected");
  EXPECT_THAT(out, HasSubstr("InvalidSpec"));
}

TEST_F(ApiExplainTest, NestedFieldsAndStatus) {
  EXPECT_THAT(explain("dbtrun.spec.defer", "Slim CI"), HasSubstr("to\t<string> -required-"));
  EXPECT_THAT(explain("dbtrun.status.phase", "Pending, Running"), HasSubstr("Cancelled"));
  EXPECT_THAT(explain("dbtproject.spec.notifications.events", "testFailure"),
              HasSubstr("freshnessWarn"));
  EXPECT_THAT(explain("dbtschedule.spec.deployment.strategy", "BlueGreen"),
              HasSubstr("one transaction"));
}

TEST_F(ApiExplainTest, CiSchemaAnomaliesAndDeploymentOutcome) {
  EXPECT_THAT(explain("dbtrun.spec.keepSchema", "spec.schema"),
              HasSubstr("kubedbt.io/drop-schema"));
  EXPECT_THAT(explain("dbtproject.spec.anomalies.rowCountFactor", "factor"), HasSubstr("median"));
  EXPECT_THAT(explain("dbtrun.status.anomalies.kind", "RowCount"), HasSubstr("Duration"));
  EXPECT_THAT(explain("dbtrun.status.deferral.manifestFound", "stored manifest"),
              HasSubstr("built everything"));
  EXPECT_THAT(explain("dbtrun.status.deployment.previous", "Backups"), HasSubstr("rollback"));
  EXPECT_THAT(explain("dbtrun.status.freshness", "warn_after"), HasSubstr("summary.freshness"));
}

}  // namespace
}  // namespace kubedbt::testing
