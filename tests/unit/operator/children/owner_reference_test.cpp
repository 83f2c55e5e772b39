// Owner references: the controller reference the operator puts on every child it makes.
#include "operator/children/owner_reference.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/fixtures.h"

namespace kubedbt::op {
namespace {

// No blockOwnerDeletion: setting it needs update on the owner's finalizers subresource where
// OwnerReferencesPermissionEnforcement is on (OpenShift; the local cluster enables it too), and
// kubedbt never deletes an owner in the foreground, so blocking would buy nothing.
TEST(OwnerReference, ControllerReferenceNamesTheOwnerWithoutBlockingItsDeletion) {
  EXPECT_EQ(controller_reference("DbtRun", testing::sample_run().metadata),
            nlohmann::json::parse(R"({"apiVersion": "kubedbt.io/v1alpha1", "kind": "DbtRun",
              "name": "manual-1", "uid": "r-uid", "controller": true})"));
}

}  // namespace
}  // namespace kubedbt::op
