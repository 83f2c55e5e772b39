// One place a run's notifications go: the events it wants and its channel, with secrets named by
// environment variable only.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "notify/event.h"

namespace kubedbt::notify {

struct SlackDestination {
  std::string url_env;  // the incoming-webhook URL
  std::string channel;  // optional override
};

struct EmailDestination {
  std::string smtp_env_prefix;  // see SmtpSettings::from_environment
  std::vector<std::string> to;
};

struct WebhookDestination {
  std::string url_env;
  std::string hmac_env;  // optional: the signature key
};

struct Destination {
  std::vector<Event> events{Event::Failure};
  std::variant<SlackDestination, EmailDestination, WebhookDestination> channel;
};

// "slack", "email" or "webhook": what logs and reports may say about a destination.
const char* kind_of(const Destination& destination);

}  // namespace kubedbt::notify
