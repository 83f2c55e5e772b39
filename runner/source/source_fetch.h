// Puts the dbt project on disk: a shallow git clone at a ref, or a folder baked into the image.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "runner/os/subprocess.h"
#include "runner/spec/run_spec.h"
#include "runner/spec/step_error.h"

namespace kubedbt::runner {

struct FetchedSource {
  std::filesystem::path project_dir;  // the folder holding dbt_project.yml
  std::string commit_sha;             // empty for a baked folder that is not a git checkout
};

class SourceError : public StepError {
 public:
  using StepError::StepError;
};

// How the run stops a fetch that is under way (its cancellation and its own timeout).
struct FetchControl {
  std::function<bool()> cancelled;  // true once the run must stop; git then gets SIGTERM
  int wake_fd = -1;                 // readable when the runner got a signal; -1 = none
};

// Clones into `checkout_dir` (which must not exist or be empty). Credentials come from `env`:
// KUBEDBT_GIT_TOKEN (https), KUBEDBT_GIT_SSH_KEY_FILE or KUBEDBT_GIT_SSH_KEY (ssh). An ssh fetch
// checks the server strictly against KUBEDBT_GIT_KNOWN_HOSTS_FILE or KUBEDBT_GIT_KNOWN_HOSTS and
// is refused without them. Git runs under the source's timeout and stops when `control` says so.
// Throws SourceError with git's own reason (or the timeout, or the stop) and no credential in it.
FetchedSource fetch_source(const SourceSpec& source, const std::filesystem::path& checkout_dir,
                           const Environment& env, const FetchControl& control = {});

// "https://user:secret@host/x" -> "https://host/x".
std::string redact_url(const std::string& url);

}  // namespace kubedbt::runner
