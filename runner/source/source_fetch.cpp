// git through its command line: clone --depth 1 --branch for names, fetch --depth 1 for commits;
// every git command under the source's deadline and the run's cancellation.
#include "runner/source/source_fetch.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>

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

// Git's environment: no prompts, credentials from the runner's env, removed files cleaned up.
class GitEnvironment {
 public:
  GitEnvironment(const Environment& base, const std::filesystem::path& scratch) : env_(base) {
    env_["GIT_TERMINAL_PROMPT"] = "0";
    env_.erase("GIT_DIR");
    if (auto token = base.find("KUBEDBT_GIT_TOKEN");
        token != base.end() && !token->second.empty()) {
      // Passed as config through the environment, never on the command line.
      env_["GIT_CONFIG_COUNT"] = "1";
      env_["GIT_CONFIG_KEY_0"] = "http.extraHeader";
      env_["GIT_CONFIG_VALUE_0"] =
          "Authorization: Basic " + base64("x-access-token:" + token->second);
    }
    std::string key_file;
    if (auto f = base.find("KUBEDBT_GIT_SSH_KEY_FILE"); f != base.end() && !f->second.empty()) {
      key_file = f->second;
    } else if (auto k = base.find("KUBEDBT_GIT_SSH_KEY"); k != base.end() && !k->second.empty()) {
      temp_key_ = scratch / ".git-ssh-key";
      std::ofstream out(temp_key_, std::ios::trunc);
      out << k->second << (k->second.back() == '\n' ? "" : "\n");
      out.close();
      std::filesystem::permissions(
          temp_key_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      key_file = temp_key_.string();
    }
    if (!key_file.empty()) {
      env_["GIT_SSH_COMMAND"] =
          "ssh -i '" + key_file + "' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new";
    }
  }
  ~GitEnvironment() {
    if (!temp_key_.empty()) {
      std::error_code ignored;
      std::filesystem::remove(temp_key_, ignored);
    }
  }
  const Environment& env() const { return env_; }

 private:
  Environment env_;
  std::filesystem::path temp_key_;
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
  GitEnvironment git_env(env, checkout_dir.parent_path());
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
    run({"git", "remote", "add", "origin", git.url});
    run({"git", "fetch", "--quiet", "--depth", "1", "origin", git.ref});
    run({"git", "checkout", "--quiet", "FETCH_HEAD"});
  } else if (git.ref == "HEAD") {
    run({"git", "clone", "--quiet", "--depth", "1", git.url, "."});
  } else {
    run({"git", "clone", "--quiet", "--depth", "1", "--branch", git.ref, git.url, "."});
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
