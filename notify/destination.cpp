// Names of destination kinds.
#include "notify/destination.h"

namespace kubedbt::notify {

const char* kind_of(const Destination& d) {
  struct Kind {
    const char* operator()(const SlackDestination&) const { return "slack"; }
    const char* operator()(const EmailDestination&) const { return "email"; }
    const char* operator()(const WebhookDestination&) const { return "webhook"; }
  };
  return std::visit(Kind{}, d.channel);
}

}  // namespace kubedbt::notify
