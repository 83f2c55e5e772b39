// How an image name becomes a local environment, since no image can be pulled or unpacked here.
//
// The rule: every image runs on the host's filesystem with the host's PATH. An image map (YAML)
// may give an image repository extra PATH entries, environment variables, and the entrypoint
// (command/args/workingDir) the image would have had:
//
//   images:
//     kubedbt-runner:                        # matches ghcr.io/x/kubedbt-runner:1.0 and @sha256:..
//       path: ["${KUBEDBT_BUILD_DIR}/runner"]  # prepended to PATH; ${VAR} from the agent env
//       (quoted:
//                                              # YAML reads an unquoted { as a mapping)
//       env: {DBT_PROFILES_DIR: /tmp/dbt}
//       command: [kubedbt-runner]            # used when the container sets no command
//       args: []
//       workingDir: /
//
// A key matches the full repository ("ghcr.io/x/kubedbt-runner"), the repository without its
// registry host ("x/kubedbt-runner"), or its last path component ("kubedbt-runner"), in that order.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kubedbt::node_agent {

// What an image contributes to a container started from it.
struct ImageEnvironment {
  std::string matched_key;  // empty: the image is not in the map (host environment only)
  std::vector<std::string> path_prepend;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> command;  // the image's ENTRYPOINT
  std::vector<std::string> args;     // the image's CMD
  std::string working_dir;
};

// "registry:5000/org/name:tag@sha256:..." -> "registry:5000/org/name".
std::string image_repository(const std::string& image);

class ImageMap {
 public:
  ImageMap() = default;
  // Parses the YAML text; ${NAME} in values is replaced by lookup(NAME) (empty when unset).
  // Throws std::runtime_error naming `origin` and the bad entry.
  static ImageMap parse(
      const std::string& yaml_text, const std::string& origin,
      const std::function<std::optional<std::string>(const std::string&)>& lookup);
  // Reads a file, expanding ${NAME} from the process environment.
  static ImageMap load(const std::string& path);

  ImageEnvironment resolve(const std::string& image) const;

 private:
  std::map<std::string, ImageEnvironment> entries_;
};

}  // namespace kubedbt::node_agent
