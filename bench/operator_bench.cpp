// Operator benchmark on the cluster in $KUBEDBT_CLUSTER_DIR (start it with `ctest -R cluster.up`):
// applies N DbtSchedules (default 1000, then the total given as the second count, default 5000)
// to a fresh namespace served by a real kubedbt-operator (deploy/rbac, one namespace) and prints:
// time until every CronJob exists, reconciles/s, API requests per schedule, the operator's peak
// RSS, and writes per minute at rest. Prints figures; asserts nothing.
//   operator_bench [first_count] [second_count] [rest_seconds]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "operator/core/kinds.h"
#include "tests/cluster/support/test_cluster.h"
#include "tests/integration/operator/operator_harness.h"

namespace {

using namespace kubedbt;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Sum of a Prometheus counter family (all label sets) whose line starts with `prefix`.
double metric_sum(const std::string& text, const std::string& prefix) {
  double sum = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

long peak_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

Json schedule(const std::string& ns, int i) {
  return {{"apiVersion", "kubedbt.io/v1alpha1"},
          {"kind", "DbtSchedule"},
          {"metadata", {{"name", "bench-" + std::to_string(i)}, {"namespace", ns}}},
          {"spec",
           {{"projectRef", {{"name", "shop"}}},
            {"target", "dev"},
            {"schedule", std::to_string(i % 60) + " 3 * * *"}}}};
}

void create_range(kube::Client& admin, const std::string& ns, int from, int to) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = from + t; i < to; i += 4) admin.create(op::kDbtSchedules, ns, schedule(ns, i));
    });
  }
  for (auto& t : threads) t.join();
}

void measure(kube::Client& admin, testing::OperatorProcess& op, const std::string& ns, int from,
             int to) {
  int port = op.health_port();
  auto before = testing::http_get(port, "/metrics");
  auto start = Clock::now();
  create_range(admin, ns, from, to);
  auto applied = Clock::now();
  while (admin.list(kube::resources::kCronJobs, ns).items.size() < static_cast<std::size_t>(to)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto done = Clock::now();
  // Let the status writes of the wave land before counting.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  auto after = testing::http_get(port, "/metrics");
  int n = to - from;
  double seconds = std::chrono::duration<double>(done - start).count();
  double reconciles = metric_sum(after, "kubedbt_reconciles_total{kind=\"DbtSchedule\"") -
                      metric_sum(before, "kubedbt_reconciles_total{kind=\"DbtSchedule\"");
  double reconcile_seconds =
      metric_sum(after, "kubedbt_reconcile_duration_seconds_sum{kind=\"DbtSchedule\"") -
      metric_sum(before, "kubedbt_reconcile_duration_seconds_sum{kind=\"DbtSchedule\"");
  double requests = metric_sum(after, "kubedbt_api_requests_total") -
                    metric_sum(before, "kubedbt_api_requests_total");
  std::printf("schedules %d -> %d: created in %.1f s; all CronJobs after %.1f s\n", from, to,
              std::chrono::duration<double>(applied - start).count(), seconds);
  std::printf(
      "  schedule reconciles %.0f (%.1f per schedule), %.1f reconciles/s of wall time, "
      "%.2f ms mean reconcile\n",
      reconciles, reconciles / n, reconciles / seconds,
      reconciles > 0 ? reconcile_seconds / reconciles * 1000 : 0.0);
  std::printf("  API requests by the operator: %.0f (%.2f per schedule)\n", requests, requests / n);
  std::printf("  operator peak RSS at %d schedules: %.1f MiB\n", to,
              peak_rss_kib(op.pid()) / 1024.0);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int first = argc > 1 ? std::atoi(argv[1]) : 1000;
  int second = argc > 2 ? std::atoi(argv[2]) : 5000;
  int rest_seconds = argc > 3 ? std::atoi(argv[3]) : 60;
  auto admin = testing::TestCluster::get().admin_client();
  testing::TestNamespace ns(*admin, "opbench");
  auto kubeconfig = testing::prepare_namespace(*admin, ns.name());
  auto yaml = testing::TestCluster::get().kubectl(
      {"-n", ns.name(), "apply", "-f", "-"},
      "apiVersion: kubedbt.io/v1alpha1\nkind: DbtProject\nmetadata: {name: shop}\nspec:\n"
      "  source: {image: {path: /project}}\n  profile: shop\n  targets:\n"
      "    dev: {host: 127.0.0.1, user: dbt, database: shop, schema: dev_shop}\n");
  if (yaml.exit_code != 0) {
    std::cerr << yaml.err;
    return 1;
  }
  testing::OperatorProcess op(kubeconfig, ns.name(), "bench",
                              {"--log-level", "info", "--workers", "4"});
  op.start();
  while (op.health_port() == 0 ||
         testing::http_get(op.health_port(), "/metrics").find("kubedbt_leader 1") ==
             std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  measure(*admin, op, ns.name(), 0, first);

  const std::vector<std::string> write_verbs = {"create", "update", "patch", "apply", "delete"};
  auto writes = [&] {
    auto m = testing::http_get(op.health_port(), "/metrics");
    std::map<std::string, double> by_verb;
    for (const auto& verb : write_verbs) {
      by_verb[verb] = metric_sum(m, "kubedbt_api_requests_total{verb=\"" + verb + "\"}");
    }
    return by_verb;
  };
  // The wave's last status writes and events may still be queued: wait for quiet first.
  std::this_thread::sleep_for(std::chrono::seconds(rest_seconds));
  auto w0 = writes();
  std::this_thread::sleep_for(std::chrono::seconds(rest_seconds));
  auto w1 = writes();
  double total = 0;
  std::string detail;
  for (const auto& verb : write_verbs) {
    total += w1[verb] - w0[verb];
    detail += " " + verb + "=" + std::to_string(static_cast<long>(w1[verb] - w0[verb]));
  }
  std::printf("at rest with %d schedules: %.0f writes in %d s (%.1f per minute;%s)\n", first, total,
              rest_seconds, total * 60.0 / rest_seconds, detail.c_str());
  std::fflush(stdout);

  if (second > first) measure(*admin, op, ns.name(), first, second);
  op.stop();
  return 0;
}
