// Schema clean-up: which runs carry the drop-schema finalizer.
#include "operator/run/schema_cleanup.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

using Json = nlohmann::json;
using testing::sample_run;

TEST(DropSchemaFinalizer, OnlyForARunWithItsOwnSchemaNotKept) {
  auto run = sample_run();
  EXPECT_FALSE(needs_drop_schema(run));
  run.spec.schema = "ci_pr_7";
  EXPECT_TRUE(needs_drop_schema(run));
  run.spec.keep_schema = true;
  EXPECT_FALSE(needs_drop_schema(run));
  EXPECT_FALSE(has_finalizer(run, kDropSchemaFinalizer));
  run.metadata.other["finalizers"] = Json::array({"other", "kubedbt.io/drop-schema"});
  EXPECT_TRUE(has_finalizer(run, kDropSchemaFinalizer));
  EXPECT_FALSE(is_being_deleted(run));
  run.metadata.other["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_TRUE(is_being_deleted(run));
  EXPECT_EQ(remove_finalizer_command(run),
            "kubectl patch dbtrun manual-1 -n analytics --type=merge -p "
            "'{\"metadata\":{\"finalizers\":null}}'");
}

}  // namespace
}  // namespace kubedbt::op
