// git through its command line: clone --depth 1 --branch for names, fetch --depth 1 for commits;
// every git command under the source's deadline and the run's cancellation.
#include "runner/source/source_fetch.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "api/validation_rules.h"

namespace kubedbt::runner {
namespace {

// How long a stopped git may clean up after SIGTERM before it gets SIGKILL.
constexpr std::chrono::seconds kGitGrace{5};

bool is_commit_sha(const std::string& ref) {
  return ref.size() == 40 && std::all_of(ref.begin(), ref.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c));
         });
}

std::string base64(const std::string& in) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(table[(n >> s) & 63]);
  }
  if (i + 1 == in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += {table[(n >> 18) & 63], table[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {table[(n >> 18) & 63], table[(n >> 12) & 63], table[(n >> 6) & 63], '='};
  }
  return out;
}

// The last non-empty line git wrote: its reason ("fatal: Remote branch x not found ...").
std::string git_reason(const CapturedOutput& out) {
  std::string text = out.err.empty() ? out.out : out.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

// Writes `content` to `path`, readable by the runner only, ending in a newline.
void write_private_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content << (content.empty() || content.back() == '\n' ? "" : "\n");
  out.close();
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// The value of `name` in `env`, or "" when unset.
std::string value_of(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

// Git's environment: no prompts, only network transports (and file, for local clusters),
// credentials from the runner's env, ssh with the pinned host keys only; its files are removed.
class GitEnvironment {
 public:
  GitEnvironment(const Environment& base, const std::filesystem::path& scratch,
                 const std::string& url)
      : env_(base) {
    env_["GIT_TERMINAL_PROMPT"] = "0";
    // No ext:: (runs a command) or other helper transports, whatever the URL says.
    env_["GIT_ALLOW_PROTOCOL"] = "https:http:ssh:git:file";
    env_.erase("GIT_DIR");
    if (auto token = value_of(base, "KUBEDBT_GIT_TOKEN"); !token.empty()) {
      // Passed as config through the environment, never on the command line.
      env_["GIT_CONFIG_COUNT"] = "1";
      env_["GIT_CONFIG_KEY_0"] = "http.extraHeader";
      env_["GIT_CONFIG_VALUE_0"] = "Authorization: Basic " + base64("x-access-token:" + token);
    }
    std::string key_file = value_of(base, "KUBEDBT_GIT_SSH_KEY_FILE");
    if (auto key = value_of(base, "KUBEDBT_GIT_SSH_KEY"); key_file.empty() && !key.empty()) {
      key_file = remember(scratch / ".git-ssh-key");
      write_private_file(key_file, key);
    }
    if (key_file.empty() && !api::rules::is_ssh_git_url(url)) return;
    std::string known_hosts = value_of(base, "KUBEDBT_GIT_KNOWN_HOSTS_FILE");
    if (auto hosts = value_of(base, "KUBEDBT_GIT_KNOWN_HOSTS");
        known_hosts.empty() && !hosts.empty()) {
      known_hosts = remember(scratch / ".git-known-hosts");
      write_private_file(known_hosts, hosts);
    }
    if (known_hosts.empty()) {
      throw SourceError(
          "cannot fetch " + redact_url(url) +
          " over ssh: no known host key to check the server against. Add key ssh-known-hosts to "
          "the Secret of spec.source.git.secretRef, holding the server's line(s) from "
          "ssh-keyscan (checked against the key your git host publishes)");
    }
    std::string command = "ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile='" + known_hosts +
                          "' -o GlobalKnownHostsFile=/dev/null";
    if (!key_file.empty()) command += " -i '" + key_file + "' -o IdentitiesOnly=yes";
    env_["GIT_SSH_COMMAND"] = command;
  }
  ~GitEnvironment() {
    for (const auto& file : files_) {
      std::error_code ignored;
      std::filesystem::remove(file, ignored);
    }
  }
  const Environment& env() const { return env_; }

 private:
  std::string remember(const std::filesystem::path& file) {
    files_.push_back(file);
    return file.string();
  }

  Environment env_;
  std::vector<std::filesystem::path> files_;
};

}  // namespace

std::string redact_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto host_start = scheme + 3;
  auto at = url.find('@', host_start);
  auto slash = url.find('/', host_start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

FetchedSource fetch_source(const SourceSpec& source, const std::filesystem::path& checkout_dir,
                           const Environment& env, const FetchControl& control) {
  FetchedSource fetched;
  if (!source.git) {
    fetched.project_dir = source.baked_path;
    if (!std::filesystem::exists(fetched.project_dir / "dbt_project.yml")) {
      throw SourceError("no dbt project at " + source.baked_path + " (dbt_project.yml not found)");
    }
    auto rev = run_captured({"git", "-C", source.baked_path, "rev-parse", "HEAD"}, {}, env);
    if (rev.exit_code == 0) fetched.commit_sha = rev.out.substr(0, rev.out.find('\n'));
    return fetched;
  }
  const auto& git = *source.git;
  std::string where = redact_url(git.url) + " at " + git.ref;
  std::filesystem::create_directories(checkout_dir);
  GitEnvironment git_env(env, checkout_dir.parent_path(), git.url);
  const auto deadline = std::chrono::steady_clock::now() + git.timeout;
  auto run = [&](std::vector<std::string> argv) {
    SubprocessOptions o;
    o.argv = argv;
    o.working_dir = checkout_dir;
    o.env = git_env.env();
    o.should_stop = [&] {
      return (control.cancelled && control.cancelled()) ||
             std::chrono::steady_clock::now() >= deadline;
    };
    o.wake_fd = control.wake_fd;
    o.stop_signal = SIGTERM;
    o.grace = kGitGrace;
    auto out = run_captured(std::move(o));
    if (out.interrupted && control.cancelled && control.cancelled()) {
      throw SourceError("stopped fetching " + where + " (git " + argv[1] +
                        " interrupted) because the run was asked to stop");
    }
    if (out.interrupted) {
      throw SourceError("git " + argv[1] + " of " + where + " did not finish within " +
                        std::to_string(git.timeout.count()) +
                        "s (source.git.timeoutSeconds); check that the repository answers from "
                        "the runner's pod (network policy, proxy, DNS, firewall), or raise "
                        "source.git.timeoutSeconds for a repository that is slow to fetch");
    }
    if (out.exit_code != 0) {
      throw SourceError("cannot fetch " + where + ": " + redact_url(git_reason(out)));
    }
    return out;
  };
  if (is_commit_sha(git.ref)) {
    run({"git", "init", "--quiet", "."});
    run({"git", "remote", "add", "--", "origin", git.url});
    run({"git", "fetch", "--quiet", "--depth", "1", "--", "origin", git.ref});
    run({"git", "checkout", "--quiet", "FETCH_HEAD"});
  } else if (git.ref == "HEAD") {
    run({"git", "clone", "--quiet", "--depth", "1", "--", git.url, "."});
  } else {
    run({"git", "clone", "--quiet", "--depth", "1", "--branch", git.ref, "--", git.url, "."});
  }
  auto rev = run({"git", "rev-parse", "HEAD"});
  fetched.commit_sha = rev.out.substr(0, rev.out.find('\n'));
  fetched.project_dir = git.path.empty() ? checkout_dir : checkout_dir / git.path;
  if (!std::filesystem::exists(fetched.project_dir / "dbt_project.yml")) {
    throw SourceError("no dbt project in " + where +
                      (git.path.empty() ? "" : " under " + git.path) +
                      " (dbt_project.yml not found)");
  }
  return fetched;
}

}  // namespace kubedbt::runner
