// A temporary folder for one test, removed with everything in it when the test ends.
#pragma once

#include <string>

namespace kubedbt::kube::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `text` to <dir>/<relative> (creating parent folders); returns the full path.
  std::string write(const std::string& relative, const std::string& text) const;

 private:
  std::string path_;
};

}  // namespace kubedbt::kube::testing
