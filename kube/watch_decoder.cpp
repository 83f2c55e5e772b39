// Newline-delimited watch frames, reassembled from arbitrary chunks.
#include "kube/watch_decoder.h"

namespace kubedbt::kube {

const char* to_string(WatchEvent::Type type) {
  switch (type) {
    case WatchEvent::Type::Added:
      return "ADDED";
    case WatchEvent::Type::Modified:
      return "MODIFIED";
    case WatchEvent::Type::Deleted:
      return "DELETED";
    case WatchEvent::Type::Bookmark:
      return "BOOKMARK";
    case WatchEvent::Type::Error:
      return "ERROR";
  }
  return "UNKNOWN";
}

bool parse_watch_event(std::string_view line, WatchEvent& out) {
  Json frame = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (!frame.is_object()) return false;
  auto type = frame.find("type");
  auto object = frame.find("object");
  if (type == frame.end() || !type->is_string() || object == frame.end() || !object->is_object()) {
    return false;
  }
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "ADDED") {
    out.type = WatchEvent::Type::Added;
  } else if (name == "MODIFIED") {
    out.type = WatchEvent::Type::Modified;
  } else if (name == "DELETED") {
    out.type = WatchEvent::Type::Deleted;
  } else if (name == "BOOKMARK") {
    out.type = WatchEvent::Type::Bookmark;
  } else if (name == "ERROR") {
    out.type = WatchEvent::Type::Error;
  } else {
    return false;
  }
  out.object = std::move(*object);
  return true;
}

WatchDecoder::WatchDecoder(Sink sink, std::size_t max_frame_bytes)
    : sink_(std::move(sink)), max_frame_bytes_(max_frame_bytes) {}

WatchControl WatchDecoder::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    std::size_t newline = chunk.find('\n');
    if (discarding_) {
      if (newline == std::string_view::npos) return WatchControl::Continue;
      discarding_ = false;
      chunk.remove_prefix(newline + 1);
      continue;
    }
    if (newline == std::string_view::npos) {
      if (pending_.size() + chunk.size() > max_frame_bytes_) {
        ++oversize_;
        discarding_ = true;
        pending_.clear();
      } else {
        pending_.append(chunk);
      }
      return WatchControl::Continue;
    }
    std::string_view head = chunk.substr(0, newline);
    chunk.remove_prefix(newline + 1);
    if (pending_.size() + head.size() > max_frame_bytes_) {
      ++oversize_;
      pending_.clear();
      continue;
    }
    WatchControl control;
    if (pending_.empty()) {
      control = decode_line(head);
    } else {
      pending_.append(head);
      std::string line = std::move(pending_);
      pending_.clear();
      control = decode_line(line);
    }
    if (control == WatchControl::Stop) return control;
  }
  return WatchControl::Continue;
}

WatchControl WatchDecoder::finish() {
  discarding_ = false;
  if (pending_.empty()) return WatchControl::Continue;
  std::string line = std::move(pending_);
  pending_.clear();
  return decode_line(line);
}

WatchControl WatchDecoder::decode_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return WatchControl::Continue;
  WatchEvent event;
  if (!parse_watch_event(line, event)) {
    ++malformed_;
    return WatchControl::Continue;
  }
  return sink_(event);
}

}  // namespace kubedbt::kube
