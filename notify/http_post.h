// One HTTP POST of a JSON body over libcurl, judged for retrying: 2xx delivered; 5xx, 429 and
// connection errors retryable (Retry-After kept); any other status permanent.
#pragma once

#include <string>
#include <vector>

#include "notify/retry_policy.h"

namespace kubedbt::notify {

struct HttpPost {
  std::string url;                   // a secret: never logged, never in a result's detail
  std::vector<std::string> headers;  // "Name: value"; Content-Type: application/json is added
  std::string body;
};

AttemptResult post_once(const HttpPost& request, Millis timeout);

// How an HTTP status is judged (post_once's rule, apart for tests).
AttemptResult::Verdict judge_http_status(long status);

}  // namespace kubedbt::notify
