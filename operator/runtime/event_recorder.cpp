// Events: one create per occurrence, named after the object (generateName).
#include "operator/runtime/event_recorder.h"

#include <chrono>

#include "api/timestamp.h"
#include "common/log.h"

namespace kubedbt::op {

void ApiEventRecorder::record(std::string_view kind, const api::ObjectMeta& object,
                              std::string_view type, std::string_view reason,
                              std::string_view message) {
  auto now = api::format_timestamp(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  nlohmann::json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"generateName", object.name + "."}, {"namespace", object.namespace_}}},
      {"involvedObject",
       {{"apiVersion", std::string(api::kApiVersion)},
        {"kind", std::string(kind)},
        {"name", object.name},
        {"namespace", object.namespace_},
        {"uid", object.uid},
        {"resourceVersion", object.resource_version}}},
      {"type", std::string(type)},
      {"reason", std::string(reason)},
      {"message", std::string(message)},
      {"source", {{"component", "kubedbt-operator"}}},
      {"reportingComponent", "kubedbt-operator"},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1}};
  try {
    client_.create(kube::resources::kEvents, object.namespace_, event);
  } catch (const std::exception& e) {
    log::warn("cannot record an event", {{"namespace", object.namespace_},
                                         {"name", object.name},
                                         {"reason", std::string(reason)},
                                         {"error", e.what()}});
  }
}

}  // namespace kubedbt::op
