// Kubernetes Events about kubedbt resources (core/v1), best effort: a failure is logged only.
#pragma once

#include <string>
#include <string_view>

#include "api/object_meta.h"
#include "kube/client.h"

namespace kubedbt::op {

class EventRecorder {
 public:
  virtual ~EventRecorder() = default;
  // `type` is "Normal" or "Warning"; `message` must never hold a secret value.
  virtual void record(std::string_view kind, const api::ObjectMeta& object, std::string_view type,
                      std::string_view reason, std::string_view message) = 0;
};

class ApiEventRecorder : public EventRecorder {
 public:
  explicit ApiEventRecorder(kube::Client& client) : client_(client) {}
  void record(std::string_view kind, const api::ObjectMeta& object, std::string_view type,
              std::string_view reason, std::string_view message) override;

 private:
  kube::Client& client_;
};

}  // namespace kubedbt::op
