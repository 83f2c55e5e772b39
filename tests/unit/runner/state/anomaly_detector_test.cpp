// Anomaly rules: row counts against the node's previous successful value, duration against the
// median of recent successful runs.
#include "runner/state/anomaly_detector.h"

#include <gtest/gtest.h>

namespace kubedbt::runner {
namespace {

NodeRecord model(const std::string& id, std::optional<int64_t> rows,
                 const std::string& status = "success") {
  return {id, "model", status, 1.0, rows};
}

RunRecord run(double seconds, std::vector<NodeRecord> nodes,
              const std::string& phase = "Succeeded") {
  RunRecord r;
  r.phase = phase;
  r.duration_seconds = seconds;
  r.nodes = std::move(nodes);
  return r;
}

const AnomalySpec kSpec{};  // factor 10 for rows, 3 for duration

TEST(AnomalyDetectorTest, RowsThatWentToZeroAreFlaggedWithObservedAndBaseline) {
  auto current = run(10, {model("model.shop.fct_orders", 0)});
  auto found = detect_anomalies(current, {run(10, {model("model.shop.fct_orders", 1000)})}, kSpec);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, Anomaly::Kind::RowCount);
  EXPECT_EQ(found[0].node, "model.shop.fct_orders");
  EXPECT_NE(found[0].message.find("model.shop.fct_orders: 0 rows affected, 1000 in its previous"),
            std::string::npos)
      << found[0].message;
  EXPECT_NE(found[0].message.find("went to zero"), std::string::npos);
}

TEST(AnomalyDetectorTest, ChangesBeyondTheFactorEitherWayAreFlaggedAndWithinItAreNot) {
  std::vector<RunRecord> baseline = {run(10, {model("model.a", 100), model("model.b", 100),
                                              model("model.c", 100), model("model.d", 100)})};
  auto current = run(10, {model("model.a", 1001), model("model.b", 9), model("model.c", 1000),
                          model("model.d", 10)});
  auto found = detect_anomalies(current, baseline, kSpec);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].node, "model.a");
  EXPECT_NE(found[0].message.find("grew 10.0x"), std::string::npos) << found[0].message;
  EXPECT_EQ(found[1].node, "model.b");
  EXPECT_NE(found[1].message.find("shrank 11.1x"), std::string::npos) << found[1].message;
}

TEST(AnomalyDetectorTest, ComparesWithTheNewestRunWhereTheNodeSucceeded) {
  std::vector<RunRecord> baseline = {
      run(10, {model("model.a", 5, "error")}),  // failed there: not a baseline value
      run(10, {}),                              // not built there
      run(10, {model("model.a", 100)}), run(10, {model("model.a", 1)})};
  EXPECT_TRUE(detect_anomalies(run(10, {model("model.a", 90)}), baseline, kSpec).empty());
  EXPECT_EQ(detect_anomalies(run(10, {model("model.a", 5)}), baseline, kSpec).size(), 1u);
}

TEST(AnomalyDetectorTest, NodesWithoutAComparableCountAreIgnored) {
  std::vector<RunRecord> baseline = {run(10, {model("model.view", std::nullopt),
                                              model("model.zero", 0),
                                              model("model.err", 100),
                                              {"test.not_null", "test", "fail", 1, 100}})};
  auto current = run(10, {model("model.view", 0),
                          model("model.zero", 500),
                          model("model.err", 0, "error"),
                          {"test.not_null", "test", "pass", 1, 0},
                          model("model.new", 0)});
  EXPECT_TRUE(detect_anomalies(current, baseline, kSpec).empty());
}

TEST(AnomalyDetectorTest, DurationBeyondTheFactorTimesTheMedianIsFlagged) {
  std::vector<RunRecord> baseline = {run(10, {}), run(12, {}), run(100, {}), run(11, {})};
  // median of 10, 11, 12, 100 = 11.5; 3 x 11.5 = 34.5
  EXPECT_TRUE(detect_anomalies(run(34, {}), baseline, kSpec).empty());
  auto found = detect_anomalies(run(40, {}), baseline, kSpec);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, Anomaly::Kind::Duration);
  EXPECT_EQ(found[0].node, "");
  EXPECT_NE(found[0].message.find("the run took 40.0s, 3.5x the median of 11.5s over its last 4"),
            std::string::npos)
      << found[0].message;
}

TEST(AnomalyDetectorTest, DurationNeedsThreeRunsAndASucceededRun) {
  EXPECT_TRUE(detect_anomalies(run(100, {}), {run(10, {}), run(10, {})}, kSpec).empty());
  std::vector<RunRecord> three = {run(10, {}), run(10, {}), run(10, {})};
  EXPECT_EQ(detect_anomalies(run(100, {}), three, kSpec).size(), 1u);
  EXPECT_TRUE(detect_anomalies(run(100, {}, "Failed"), three, kSpec).empty());
}

TEST(AnomalyDetectorTest, FactorsComeFromTheSpec) {
  AnomalySpec strict;
  strict.row_count_factor = 2;
  strict.duration_factor = 1.5;
  std::vector<RunRecord> baseline = {run(10, {model("model.a", 100)}), run(10, {}), run(10, {})};
  auto found = detect_anomalies(run(16, {model("model.a", 201)}), baseline, strict);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].kind, Anomaly::Kind::RowCount);
  EXPECT_EQ(found[1].kind, Anomaly::Kind::Duration);
}

}  // namespace
}  // namespace kubedbt::runner
