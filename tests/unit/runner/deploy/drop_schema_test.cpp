// drop-schema's guard: which schemas a clean-up drops, and the protected ones it refuses.
#include "runner/deploy/drop_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

using ::testing::HasSubstr;

TEST(SchemasToDrop, RunSchemaFirstThenWhatTheRunRecorded) {
  EXPECT_EQ(schemas_to_drop("ci_pr_7", {"ci_pr_7", "ci_pr_7_marts", "ci_pr_7_staging"},
                            {"analytics", "dev_shop"}),
            (std::vector<std::string>{"ci_pr_7", "ci_pr_7_marts", "ci_pr_7_staging"}));
  EXPECT_EQ(schemas_to_drop("ci_pr_7", {}, {}), std::vector<std::string>{"ci_pr_7"});
}

TEST(SchemasToDrop, RefusesAProtectedSchemaOrOneOfItsCustomSchemas) {
  for (const std::string recorded : {"analytics", "analytics_marts"}) {
    try {
      schemas_to_drop("ci_pr_7", {"ci_pr_7_marts", recorded}, {"analytics"});
      ADD_FAILURE() << recorded << " was not refused";
    } catch (const DropSchemaError& e) {
      EXPECT_THAT(e.what(), HasSubstr("refusing to drop schema " + recorded));
      EXPECT_THAT(e.what(), HasSubstr("protected schema analytics"));
      EXPECT_THAT(e.what(), HasSubstr("nothing was dropped"));
    }
  }
  EXPECT_THROW(schemas_to_drop("analytics", {}, {"analytics"}), DropSchemaError);
  // A schema that merely starts with the same letters is not a custom schema of it.
  EXPECT_NO_THROW(schemas_to_drop("analyticsci", {}, {"analytics"}));
}

TEST(SchemasToDrop, RefusesNamesThatAreNotPlainIdentifiers) {
  EXPECT_THROW(schemas_to_drop("ci_pr_7", {"ci; drop table x"}, {}), DropSchemaError);
  EXPECT_THROW(schemas_to_drop("ci_pr_7", {"\"Quoted\""}, {}), DropSchemaError);
}

TEST(DropRunSchemas, ARunWithoutItsOwnSchemaIsRefusedBeforeConnecting) {
  RunSpec spec;
  spec.target.name = "dev";
  spec.target.schema = "dev_shop";
  try {
    drop_run_schemas(spec, "", {});
    ADD_FAILURE() << "no refusal";
  } catch (const DropSchemaError& e) {
    EXPECT_THAT(e.what(), HasSubstr("never the schema of target dev"));
  }
}

}  // namespace
}  // namespace kubedbt::runner
