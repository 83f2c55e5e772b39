// Tests of resource quantity parsing.
#include "tests/cluster/node-agent/quantity.h"

#include <gtest/gtest.h>

namespace kubedbt::node_agent {
namespace {

TEST(ParseQuantity, UnderstandsDecimalAndBinarySuffixes) {
  EXPECT_DOUBLE_EQ(static_cast<double>(parse_quantity("2")), 2.0);
  EXPECT_DOUBLE_EQ(static_cast<double>(parse_quantity("500m")), 0.5);
  EXPECT_DOUBLE_EQ(static_cast<double>(parse_quantity("1.5")), 1.5);
  EXPECT_DOUBLE_EQ(static_cast<double>(parse_quantity("1Ki")), 1024.0);
  EXPECT_DOUBLE_EQ(static_cast<double>(parse_quantity("64Mi")), 64.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(static_cast<double>(parse_quantity("1G")), 1e9);
  EXPECT_DOUBLE_EQ(static_cast<double>(parse_quantity("1e3")), 1000.0);
}

TEST(ParseQuantity, RejectsUnknownSuffixesAndEmptyText) {
  EXPECT_THROW(parse_quantity(""), std::invalid_argument);
  EXPECT_THROW(parse_quantity("12Xi"), std::invalid_argument);
  EXPECT_THROW(parse_quantity("Mi"), std::invalid_argument);
}

}  // namespace
}  // namespace kubedbt::node_agent
