// Fetching the project from a real git repository (a bare repo over file://): a branch, a commit,
// the project's folder inside the repository, and a ref that does not exist; and from a host that
// never answers: git's timeout, its cancellation, and a runner stopped while git hangs.
#include "runner/source/source_fetch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "tests/integration/runner/runner_harness.h"

namespace kubedbt::testing {
namespace {

// A repository host that hangs: a loopback TCP server that accepts connections and never answers.
// After `hold` it closes them, so a git that never gives up fails instead of hanging the suite.
class SilentServer {
 public:
  explicit SilentServer(std::chrono::seconds hold = std::chrono::seconds(120)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listen_fd_, 8) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on a loopback port");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, until = std::chrono::steady_clock::now() + hold] {
      std::vector<int> held;
      while (!stop_ && std::chrono::steady_clock::now() < until) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, 100) == 1) {
          int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
          if (fd >= 0) {
            held.push_back(fd);
            ++accepted_;
          }
        }
      }
      for (int fd : held) close(fd);
    });
  }
  ~SilentServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  // An http URL of a repository on this server, with credentials that must never be shown.
  std::string url() const {
    return "http://kubedbt:s3cret-token@127.0.0.1:" + std::to_string(port_) + "/shop.git";
  }
  // The same URL as messages must show it.
  std::string shown_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/shop.git";
  }
  int accepted() const { return accepted_; }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string git(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  std::vector<std::string> argv{"git",
                                "-c",
                                "user.name=kubedbt test",
                                "-c",
                                "user.email=test@kubedbt.invalid",
                                "-c",
                                "init.defaultBranch=main"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto out = runner::run_captured(argv, cwd, runner::current_environment());
  if (out.exit_code != 0) throw std::runtime_error("git failed: " + out.err);
  return out.out.substr(0, out.out.find('\n'));
}

// A bare repository whose main branch holds the shop project under analytics/shop.
class GitSourceTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path bare = dir.path() / "shop.git";
  std::string url = "file://" + bare.string();
  std::string sha;

  void SetUp() override {
    auto work = dir.path() / "work";
    copy_shop_project(work / "analytics" / "shop");
    git({"init", "--quiet", "."}, work);
    git({"add", "."}, work);
    git({"commit", "--quiet", "-m", "shop project"}, work);
    sha = git({"rev-parse", "HEAD"}, work);
    git({"clone", "--quiet", "--bare", work.string(), bare.string()}, dir.path());
  }

  runner::SourceSpec source(const std::string& ref) {
    runner::SourceSpec s;
    s.git = runner::SourceSpec::Git{url, ref, "analytics/shop"};
    return s;
  }
};

TEST_F(GitSourceTest, ClonesABranchAndRecordsItsCommit) {
  auto fetched = runner::fetch_source(source("main"), dir.path() / "checkout-branch",
                                      runner::current_environment());
  EXPECT_EQ(fetched.commit_sha, sha);
  EXPECT_EQ(fetched.project_dir, dir.path() / "checkout-branch" / "analytics" / "shop");
  EXPECT_TRUE(std::filesystem::exists(fetched.project_dir / "dbt_project.yml"));
}

TEST_F(GitSourceTest, FetchesAnExactCommit) {
  auto fetched =
      runner::fetch_source(source(sha), dir.path() / "checkout-sha", runner::current_environment());
  EXPECT_EQ(fetched.commit_sha, sha);
  EXPECT_TRUE(std::filesystem::exists(fetched.project_dir / "models" / "marts" / "fct_orders.sql"));
}

TEST_F(GitSourceTest, ABadRefFailsWithGitsReason) {
  try {
    runner::fetch_source(source("no-such-branch"), dir.path() / "checkout-bad",
                         runner::current_environment());
    FAIL() << "a missing branch was fetched";
  } catch (const runner::SourceError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("cannot fetch " + url + " at no-such-branch"), std::string::npos) << what;
    EXPECT_NE(what.find("no-such-branch"), std::string::npos) << what;
  }
}

TEST_F(GitSourceTest, AWrongProjectPathIsNamed) {
  auto s = source("main");
  s.git->path = "analytics/elsewhere";
  EXPECT_THROW(
      {
        try {
          runner::fetch_source(s, dir.path() / "checkout-path", runner::current_environment());
        } catch (const runner::SourceError& e) {
          EXPECT_NE(
              std::string(e.what()).find("under analytics/elsewhere (dbt_project.yml not found)"),
              std::string::npos)
              << e.what();
          throw;
        }
      },
      runner::SourceError);
}

TEST_F(GitSourceTest, TheRunnerBuildsFromGitAndABadRefFailsTheRun) {
  TestDatabase db("gitrun");
  db.load_shop_raw_data();
  auto spec = dev_spec(db, "unused");
  spec["source"] = {{"git", {{"url", url}, {"ref", "main"}, {"path", "analytics/shop"}}}};
  auto r = run_runner(spec, dir.path() / "run-ok");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["phase"], "Succeeded");
  EXPECT_EQ(r.status["commitSha"], sha);
  EXPECT_EQ(r.status["summary"]["models"]["success"], 5);

  TestDatabase clean("gitbad");
  auto bad = dev_spec(clean, "unused");
  bad["source"] = {{"git", {{"url", url}, {"ref", "v9.9.9"}, {"path", "analytics/shop"}}}};
  auto r2 = run_runner(bad, dir.path() / "run-bad");
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_EQ(r2.status["phase"], "Failed");
  EXPECT_NE(r2.status["message"].get<std::string>().find("cannot fetch " + url + " at v9.9.9"),
            std::string::npos)
      << r2.status["message"];
  EXPECT_FALSE(clean.schema_exists("analytics"));
}

// A project that declares a package (a local one, next to it in the repository) gets `dbt deps`
// before its commands, and its models can use the package's macros.
TEST(GitSourceWithPackagesTest, DeclaredPackagesAreInstalledBeforeTheBuild) {
  TempDir dir;
  auto work = dir.path() / "work";
  auto project = work / "analytics" / "shop";
  copy_shop_project(project);
  auto package = work / "analytics" / "shop_macros";
  std::filesystem::create_directories(package / "macros");
  write_file(package / "dbt_project.yml",
             "name: shop_macros\nversion: \"1.0.0\"\nconfig-version: 2\nmacro-paths: [macros]\n");
  write_file(
      package / "macros" / "order_share.sql",
      "{% macro order_share(part, whole) %}round(100.0 * {{ part }} / nullif({{ whole }}, 0), "
      "2){% endmacro %}\n");
  write_file(project / "packages.yml", "packages:\n  - local: ../shop_macros\n");
  write_file(project / "models" / "marts" / "completed_order_share.sql",
             "-- Share of orders that completed, in percent (uses the shop_macros package).\n"
             "select {{ shop_macros.order_share(\"count(*) filter (where status = 'completed')\", "
             "'count(*)') }} as completed_percent from {{ ref('fct_orders') }}\n");
  git({"init", "--quiet", "."}, work);
  git({"add", "."}, work);
  git({"commit", "--quiet", "-m", "shop project with a package"}, work);
  auto bare = dir.path() / "shop.git";
  git({"clone", "--quiet", "--bare", work.string(), bare.string()}, dir.path());

  TestDatabase db("gitdeps");
  db.load_shop_raw_data();
  auto spec = dev_spec(db, "unused");
  spec["source"] = {
      {"git", {{"url", "file://" + bare.string()}, {"ref", "main"}, {"path", "analytics/shop"}}}};
  auto r = run_runner(spec, dir.path() / "run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.status["phase"], "Succeeded") << r.status.dump();
  EXPECT_EQ(r.status["summary"]["models"]["success"], 6);
  const auto share =
      std::stod(db.value("select completed_percent from analytics.completed_order_share"));
  EXPECT_GT(share, 0.0);
  EXPECT_LT(share, 100.0);
}

TEST(HangingGitHostTest, AStuckCloneTimesOutNamingTheUrlTheTimeoutAndTheFix) {
  SilentServer server;
  TempDir dir;
  runner::SourceSpec source;
  source.git = runner::SourceSpec::Git{server.url(), "main", "", std::chrono::seconds(2)};
  try {
    runner::fetch_source(source, dir.path() / "checkout", runner::current_environment());
    FAIL() << "a clone from a host that never answers finished";
  } catch (const runner::SourceError& e) {
    std::string what = e.what();
    EXPECT_EQ(what, "git clone of " + server.shown_url() +
                        " at main did not finish within 2s (source.git.timeoutSeconds); check "
                        "that the repository answers from the runner's pod (network policy, "
                        "proxy, DNS, firewall), or raise source.git.timeoutSeconds for a "
                        "repository that is slow to fetch");
  }
  EXPECT_GE(server.accepted(), 1);
}

TEST(HangingGitHostTest, ACancelledFetchStopsPromptly) {
  SilentServer server;
  TempDir dir;
  const std::string commit(40, 'a');  // a commit SHA: init, then git fetch of that commit
  runner::SourceSpec source;
  source.git = runner::SourceSpec::Git{server.url(), commit, "", std::chrono::seconds(3600)};
  runner::FetchControl control;
  control.cancelled = [&] { return server.accepted() > 0; };
  try {
    runner::fetch_source(source, dir.path() / "checkout", runner::current_environment(), control);
    FAIL() << "a fetch from a host that never answers finished";
  } catch (const runner::SourceError& e) {
    EXPECT_EQ(std::string(e.what()), "stopped fetching " + server.shown_url() + " at " + commit +
                                         " (git fetch interrupted) because the run was asked to "
                                         "stop");
  }
}

TEST(HangingGitHostTest, SigtermStopsAStuckCloneAndTheRunIsCancelled) {
  SilentServer server;
  TempDir dir;
  TestDatabase db("gitstuck");
  auto spec = dev_spec(db, "unused");
  spec["source"] = {{"git", {{"url", server.url()}, {"ref", "main"}}}};
  RunnerOptions options;
  options.stop_when = [&] { return server.accepted() > 0; };
  auto r = run_runner(spec, dir.path(), options);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.status["phase"], "Cancelled");
  EXPECT_EQ(r.status["message"], "stopped fetching " + server.shown_url() +
                                     " at main (git clone interrupted) because the run was asked "
                                     "to stop");
  EXPECT_EQ(r.err.find("s3cret-token"), std::string::npos);
}

TEST(HangingGitHostTest, AStuckCloneFailsTheRunAfterTheSourcesTimeout) {
  SilentServer server;
  TempDir dir;
  TestDatabase db("gittimeout");
  auto spec = dev_spec(db, "unused");
  spec["source"] = {{"git", {{"url", server.url()}, {"ref", "main"}, {"timeoutSeconds", 2}}}};
  auto r = run_runner(spec, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.status["phase"], "Failed");
  auto message = r.status["message"].get<std::string>();
  EXPECT_EQ(
      message.rfind("git clone of " + server.shown_url() + " at main did not finish within 2s", 0),
      0u)
      << message;
  EXPECT_EQ(message.find("s3cret-token"), std::string::npos) << message;
  EXPECT_FALSE(db.schema_exists("analytics"));
}

// ssh is checked strictly against the host keys of the source Secret. No ssh server runs here,
// so a stand-in `ssh` first on PATH records what real git hands it and refuses, as ssh does for
// an unknown host; the flags and the known-hosts file it was given are what is asserted.
class SshSourceTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path bin = dir.path() / "bin";
  std::filesystem::path seen = dir.path() / "ssh-seen";

  void SetUp() override {
    std::filesystem::create_directories(bin);
    write_file(bin / "ssh",
               "#!/bin/sh\n"
               "echo \"$*\" > '" +
                   seen.string() +
                   "'\n"
                   "for a in \"$@\"; do case $a in UserKnownHostsFile=*) "
                   "f=${a#UserKnownHostsFile=}; cat \"$f\" >> '" +
                   seen.string() +
                   "';; esac; done\n"
                   "echo 'Host key verification failed.' >&2\nexit 255\n");
    std::filesystem::permissions(bin / "ssh", std::filesystem::perms::owner_all);
  }

  runner::Environment env() const {
    auto e = runner::current_environment();
    e["PATH"] = bin.string() + ":" + e["PATH"];
    e["KUBEDBT_GIT_SSH_KEY"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n";
    return e;
  }

  static runner::SourceSpec source(const std::string& url) {
    runner::SourceSpec s;
    s.git = runner::SourceSpec::Git{url, "main", ""};
    return s;
  }
};

TEST_F(SshSourceTest, AnSshFetchWithoutKnownHostsIsRefusedBeforeGitRuns) {
  try {
    runner::fetch_source(source("git@git.example:acme/shop.git"), dir.path() / "checkout", env());
    ADD_FAILURE() << "no refusal";
  } catch (const runner::SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("Add key ssh-known-hosts to the Secret"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(seen)) << "ssh never ran";
}

TEST_F(SshSourceTest, SshChecksTheServerStrictlyAgainstTheSecretsHostKeys) {
  auto e = env();
  const std::string pinned = "git.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPinnedKey";
  e["KUBEDBT_GIT_KNOWN_HOSTS"] = pinned;
  EXPECT_THROW(runner::fetch_source(source("ssh://git@git.example/acme/shop.git"),
                                    dir.path() / "checkout", e),
               runner::SourceError);
  auto args = read_text(seen);
  EXPECT_NE(args.find("StrictHostKeyChecking=yes"), std::string::npos) << args;
  EXPECT_NE(args.find("GlobalKnownHostsFile=/dev/null"), std::string::npos) << args;
  EXPECT_EQ(args.find("accept-new"), std::string::npos) << args;
  EXPECT_NE(args.find(pinned), std::string::npos) << "the known-hosts file is the Secret's";
  EXPECT_TRUE(files_containing(dir.path() / "checkout", "PinnedKey").empty());
}

// Transports that run commands (ext::) and URLs that look like options never get that far.
TEST(GitTransportTest, CommandTransportsAndOptionLikeUrlsRunNothing) {
  TempDir dir;
  auto marker = dir.path() / "pwned";
  for (const std::string& url :
       {"ext::sh -c touch% " + marker.string(), "--upload-pack=touch " + marker.string()}) {
    runner::SourceSpec s;
    s.git = runner::SourceSpec::Git{url, "HEAD", ""};
    EXPECT_THROW(runner::fetch_source(s, dir.path() / ("checkout-" + std::to_string(url.size())),
                                      runner::current_environment()),
                 runner::SourceError)
        << url;
    EXPECT_FALSE(std::filesystem::exists(marker)) << url << " ran a command";
  }
}
}  // namespace
}  // namespace kubedbt::testing
