// Folder layout of a run in a pod.
#include "runner/os/workspace.h"

namespace kubedbt::runner {

Workspace pod_workspace(const std::filesystem::path& work_dir) {
  Workspace w;
  w.project_dir = work_dir / "source";
  w.profiles_dir = work_dir / "profiles";
  w.target_path = work_dir / "target";
  w.log_path = work_dir / "logs";
  w.artifacts_dir = work_dir / "artifacts";
  return w;
}

}  // namespace kubedbt::runner
