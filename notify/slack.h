// Slack incoming webhooks: the JSON a webhook URL accepts (fallback text, blocks, channel
// override).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "notify/message.h"

namespace kubedbt::notify {

// {"text": ..., "blocks": [header, section, context], "channel": ... (only when set)}.
// Text is escaped for Slack's mrkdwn (&, <, >).
nlohmann::json slack_payload(const Message& message, const std::string& channel);

}  // namespace kubedbt::notify
