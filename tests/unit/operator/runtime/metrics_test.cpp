// Metrics: what the exposition counts, rendered as Prometheus text.
#include "operator/runtime/metrics.h"

#include <gtest/gtest.h>

namespace kubedbt::op {
namespace {

TEST(Metrics, AnomaliesAreCountedOncePerFinishedRun) {
  Metrics metrics;
  Metrics::RunAnomalies run{"uid-1", "data", "shop", "prod", {"RowCount", "RowCount", "Duration"}};
  metrics.count_finished_run(run);
  metrics.count_finished_run(run);  // the same run seen again (another update)
  metrics.count_finished_run({"uid-2", "data", "shop", "prod", {"Duration"}});
  auto text = metrics.render();
  EXPECT_NE(text.find("kubedbt_run_anomalies_total{namespace=\"data\",project=\"shop\","
                      "target=\"prod\",kind=\"RowCount\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kubedbt_run_anomalies_total{namespace=\"data\",project=\"shop\","
                      "target=\"prod\",kind=\"Duration\"} 2\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace kubedbt::op
