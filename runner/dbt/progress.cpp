// Progress from dbt's node events: a node is running between its start event and any event that
// reports a final node_status for it.
#include "runner/dbt/progress.h"

#include <algorithm>
#include <array>

namespace kubedbt::runner {
namespace {

constexpr size_t kKeptErrors = 8;
// node_status values that mean the node is still on its way.
constexpr std::array kUnfinished = {"", "None", "started", "compiling", "executing"};

std::string string_at(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool ProgressTracker::observe(const DbtEvent& event) {
  Progress before = progress();
  if (invocation_id_.empty()) invocation_id_ = event.invocation_id;
  const auto& data = event.data;
  if (event.name == "MainReportVersion") {
    dbt_version_ = string_at(data, "version");
    if (!dbt_version_.empty() && dbt_version_.front() == '=') dbt_version_.erase(0, 1);
  } else if (event.name == "MainEncounteredError") {
    fatal_error_ = strip_ansi(string_at(data, "exc"));
  } else if (event.name == "ConcurrencyLine") {
    if (auto it = data.find("node_count"); it != data.end() && it->is_number_integer()) {
      total_ = it->get<int>();
    }
  } else if (event.name == "EndOfRunSummary") {
    auto it = data.find("keyboard_interrupt");
    keyboard_interrupt_ = it != data.end() && it->is_boolean() && it->get<bool>();
  }
  if (event.level == "error" && !event.msg.empty()) {
    errors_.push_back(event.msg);
    if (errors_.size() > kKeptErrors) errors_.pop_front();
  }
  if (auto it = data.find("total"); it != data.end() && it->is_number_integer()) {
    total_ = std::max(total_, it->get<int>());
  }
  auto node = data.find("node_info");
  if (node != data.end() && node->is_object()) {
    auto id = string_at(*node, "unique_id");
    auto status = string_at(*node, "node_status");
    if (!id.empty() && !finished_.count(id)) {
      bool unfinished =
          std::find(kUnfinished.begin(), kUnfinished.end(), status) != kUnfinished.end();
      if (event.name == "LogStartLine" || (status == "started" && unfinished)) {
        if (std::find(running_.begin(), running_.end(), id) == running_.end())
          running_.push_back(id);
      } else if (!unfinished) {
        finished_.insert(id);
        running_.erase(std::remove(running_.begin(), running_.end(), id), running_.end());
      }
    }
  }
  return progress() != before;
}

Progress ProgressTracker::progress() const {
  Progress p;
  p.done = static_cast<int>(finished_.size());
  p.total = std::max(total_, p.done);
  p.current = running_.empty() ? "" : running_.front();
  return p;
}

}  // namespace kubedbt::runner
