// kubedbt-node-agent: stands in for the kubelet on the local cluster, where no container runtime
// exists. It registers a Node, schedules pending pods onto it and runs their containers as local
// processes (see tests/cluster/README.md, "Node agent").
#include <signal.h>
#include <sys/prctl.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <stop_token>
#include <thread>

#include "common/log.h"
#include "kube/client.h"
#include "kube/config.h"
#include "tests/cluster/node-agent/node_agent.h"
#include "tests/cluster/node-agent/node_facts.h"
#include "tests/cluster/node-agent/volume_writer.h"

namespace {

// The API server's version, which the Node reports as its kubelet version.
std::string server_version(kubedbt::kube::Client& client) {
  try {
    return client.request("GET", "/version").value("gitVersion", "v0.0.0");
  } catch (const std::exception& error) {
    kubedbt::log::warn("cannot read the API server version", {{"error", error.what()}});
    return "v0.0.0";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kubedbt node agent: runs the local cluster's pods as local processes"};
  std::string kubeconfig;
  kubedbt::node_agent::NodeAgentOptions options;
  std::string node_ip = "127.0.0.1";
  std::string log_level = "info";
  int64_t max_pods = 110;
  int shutdown_grace_seconds = 5;
  app.add_option("--kubeconfig", kubeconfig,
                 "kubeconfig of a user allowed to manage nodes and pods")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--node-name", options.node_name, "name of the Node to register")->required();
  app.add_option("--state-dir", options.state_dir,
                 "where volumes, termination messages and container logs live")
      ->required();
  app.add_option("--image-map", options.image_map_path,
                 "YAML file mapping image repositories to PATH entries, env and entrypoints "
                 "(re-read at every container start)");
  app.add_option("--node-ip", node_ip, "address reported as the node's and every pod's IP")
      ->capture_default_str();
  app.add_option("--max-pods", max_pods, "pods capacity the Node reports")->capture_default_str();
  app.add_option("--shutdown-grace-seconds", shutdown_grace_seconds,
                 "how long pods get between SIGTERM and SIGKILL when the agent stops")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "debug, info, warn or error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.shutdown_grace = std::chrono::seconds(shutdown_grace_seconds);
  kubedbt::log::init("node-agent", log_level);

  // SIGTERM/SIGINT are taken by a dedicated thread; children get a clean mask before exec.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // Processes a container leaves behind are re-parented to us, so we reap them too.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  int exit_code = 0;
  std::stop_source stop;
  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&stop_signals, &received);
    kubedbt::log::info("signal received, stopping", {{"signal", received}});
    stop.request_stop();
  });
  try {
    kubedbt::node_agent::make_directories(options.state_dir, 0700);
    const kubedbt::kube::Config config = kubedbt::kube::load_kubeconfig(kubeconfig);
    auto client = kubedbt::kube::make_client(config);
    auto facts = kubedbt::node_agent::gather_node_facts(options.node_name, node_ip, max_pods);
    facts.kubelet_version = server_version(*client);
    kubedbt::node_agent::NodeAgent agent(*client, options, facts);
    agent.run(stop.get_token());
  } catch (const std::exception& error) {
    kubedbt::log::error("node agent failed", {{"error", error.what()}});
    exit_code = 1;
  }
  if (!stop.stop_requested()) kill(getpid(), SIGTERM);  // release the signal thread
  signal_waiter.join();
  return exit_code;
}
