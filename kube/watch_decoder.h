// Splits a watch response body, which arrives in arbitrary chunks, into watch events.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "kube/client.h"

namespace kubedbt::kube {

// Feed it bytes as they arrive; it calls the sink once per complete newline-terminated frame.
// Blank lines are ignored; a line that is not a watch event is counted and skipped; a line longer
// than max_frame_bytes is discarded up to its newline and counted as oversize.
class WatchDecoder {
 public:
  using Sink = std::function<WatchControl(const WatchEvent&)>;

  explicit WatchDecoder(Sink sink, std::size_t max_frame_bytes = 16 * 1024 * 1024);

  // Returns Stop as soon as the sink does; remaining bytes are then left unread.
  WatchControl feed(std::string_view chunk);
  // The stream ended: a trailing frame without newline is decoded too.
  WatchControl finish();

  std::size_t malformed_frames() const { return malformed_; }
  std::size_t oversize_frames() const { return oversize_; }

 private:
  WatchControl decode_line(std::string_view line);

  Sink sink_;
  std::size_t max_frame_bytes_;
  std::string pending_;
  bool discarding_ = false;
  std::size_t malformed_ = 0;
  std::size_t oversize_ = 0;
};

// Parses one frame {"type": ..., "object": ...}; returns false when it is not a watch event.
bool parse_watch_event(std::string_view line, WatchEvent& out);

}  // namespace kubedbt::kube
