// kubedbt-operator: reconciles DbtProjects, DbtSchedules and DbtRuns; one leader at a time.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/time_zone_database.h"
#include "common/log.h"
#include "kube/config.h"
#include "operator/controller.h"
#include "operator/runtime/counting_client.h"
#include "operator/runtime/http_endpoint.h"
#include "operator/runtime/leader_election.h"

namespace {

using namespace kubedbt;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string default_identity() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + "-" + std::to_string(::getpid());
}

int wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kubedbt-operator: runs dbt projects on Kubernetes"};
  std::string kubeconfig, namespaces, runner_command, log_level = "info";
  std::string bind_address = "0.0.0.0", lease_namespace, identity = default_identity();
  std::string tz_dir = api::default_time_zone_directory().string();
  int port = 8080, workers = 2;
  bool leader_elect = true;
  op::OperatorConfig config;
  app.add_option("--kubeconfig", kubeconfig,
                 "kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)");
  app.add_option("--namespaces", namespaces, "comma-separated namespaces to watch (default: all)");
  app.add_option("--workers", workers, "workers per kind")->check(CLI::Range(1, 64));
  app.add_option("--health-port", port, "port of /healthz, /readyz and /metrics (0 picks one)");
  app.add_option("--bind-address", bind_address, "IPv4 address of that port");
  app.add_option("--runner-image", config.runner_image,
                 "runner image when a DbtProject names none");
  app.add_option("--runner-service-account", config.runner_service_account,
                 "ServiceAccount of runner pods when a DbtProject names none");
  app.add_option("--runner-command", runner_command,
                 "comma-separated command replacing the runner image's entrypoint (test clusters "
                 "whose nodes run commands, not images)");
  app.add_option("--run-history", config.run_history_limit,
                 "finished user-created DbtRuns kept per project and namespace")
      ->check(CLI::Range(0, 10000));
  app.add_option("--protected-targets-policy", config.protected_targets_policy,
                 "ValidatingAdmissionPolicy listing who may start runs on protected targets");
  app.add_option("--leader-elect", leader_elect, "elect a leader on a Lease (true/false)");
  app.add_option("--lease-namespace", lease_namespace,
                 "namespace of the leader Lease (default: the kubeconfig's namespace)");
  app.add_option("--identity", identity, "this process's name in the Lease");
  app.add_option("--tz-dir", tz_dir,
                 "compiled tz database (zoneinfo folder) for DbtSchedule timeZone and "
                 "status.nextScheduleTime; the images ship the pinned release at "
                 "/usr/share/kubedbt/zoneinfo (default: $TZDIR, else /usr/share/zoneinfo)");
  app.add_option("--log-level", log_level, "debug, info, warn or error")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  CLI11_PARSE(app, argc, argv);
  config.runner_command = split_list(runner_command);

  log::init("kubedbt-operator", log_level);
  // Signals are taken by sigwait on the main thread; every other thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  try {
    api::set_time_zone_directory(tz_dir);
    auto kube_config = kube::load_config(
        kubeconfig.empty() ? std::nullopt : std::optional<std::string>(kubeconfig));
    if (lease_namespace.empty()) lease_namespace = kube_config.default_namespace;
    auto client = std::make_unique<op::CountingClient>(kube::make_client(kube_config));
    op::SystemClock clock;
    op::Metrics metrics;
    op::ControllerOptions options;
    options.namespaces = split_list(namespaces);
    options.workers = workers;
    op::Controller controller(*client, clock, config, options, metrics);
    metrics.set_gauge_source([&] { return controller.gauges(); });

    std::atomic<bool> leading{false};
    op::HttpEndpoint endpoint(
        bind_address, port,
        {{"/healthz",
          [] {
            return op::HttpResponse{200, "text/plain", "ok\n"};
          }},
         {"/readyz",
          [&] {
            return controller.synced() ? op::HttpResponse{200, "text/plain", "ok\n"}
                                       : op::HttpResponse{503, "text/plain", "caches not synced\n"};
          }},
         {"/metrics", [&] {
            std::string text = metrics.render() + client->render();
            text +=
                "# HELP kubedbt_leader Whether this process is the leader.\n"
                "# TYPE kubedbt_leader gauge\nkubedbt_leader " +
                std::string(leading ? "1" : "0") + "\n";
            return op::HttpResponse{200, "text/plain; version=0.0.4", text};
          }}});
    log::info("operator starting", {{"healthPort", endpoint.port()},
                                    {"namespaces", namespaces.empty() ? "all" : namespaces},
                                    {"identity", identity},
                                    {"tzDir", tz_dir},
                                    {"tzdata", api::time_zone_database().version()}});
    if (!controller.start_informers(std::chrono::seconds(60))) {
      log::warn("informers not synced after 60 s; continuing, they keep retrying");
    }

    std::stop_source stop;
    std::atomic<bool> lost{false};
    std::jthread election;
    if (leader_elect) {
      op::LeaderElectionOptions lo;
      lo.lease_namespace = lease_namespace;
      lo.identity = identity;
      election = std::jthread([&, lo](std::stop_token) {
        op::LeaderElector elector(*client, lo);
        bool was_lost = elector.run(
            stop.get_token(),
            [&] {
              leading = true;
              controller.start_workers();
            },
            [&] {
              leading = false;
              controller.stop_workers();
            });
        if (was_lost) {
          lost = true;
          ::kill(::getpid(), SIGTERM);  // wake the main thread: this process is done
        }
      });
    } else {
      leading = true;
      controller.start_workers();
    }

    int sig = wait_for_signal();
    log::info(lost ? "leadership lost; exiting" : "signal received; shutting down",
              {{"signal", sig}});
    stop.request_stop();
    if (election.joinable()) election.join();
    controller.stop_workers();
    log::info("operator stopped");
    return lost ? 1 : 0;
  } catch (const std::exception& e) {
    log::error("operator failed", {{"error", e.what()}});
    std::cerr << "kubedbt-operator: " << e.what() << "\n";
    return 1;
  }
}
