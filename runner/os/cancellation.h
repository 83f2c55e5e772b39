// Turns SIGTERM and SIGINT sent to the runner into a flag and a pollable file descriptor.
#pragma once

#include <optional>

namespace kubedbt::runner {

// Installs handlers for SIGTERM and SIGINT once per process. The first signal marks the run as
// cancelled; the wait loops poll fd() so they wake at once.
class CancellationSignal {
 public:
  static CancellationSignal& install();

  bool requested() const;
  // The signal that asked for cancellation, if one arrived.
  std::optional<int> signal() const;
  // Readable once a signal arrived.
  int fd() const;

 private:
  CancellationSignal();
};

}  // namespace kubedbt::runner
