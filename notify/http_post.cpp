// HTTP POST over libcurl: http and https only, no redirects, bounded by the attempt's timeout.
#include "notify/http_post.h"

#include <algorithm>

#include "notify/curl_handle.h"

namespace kubedbt::notify {
namespace {

size_t discard_body(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

AttemptResult::Verdict judge_http_status(long status) {
  if (status >= 200 && status < 300) return AttemptResult::Verdict::Delivered;
  if (status == 429 || status >= 500) return AttemptResult::Verdict::Retryable;
  return AttemptResult::Verdict::Permanent;
}

AttemptResult post_once(const HttpPost& request, Millis timeout) {
  auto easy = make_curl_easy();
  CURL* c = easy.get();
  std::vector<std::string> headers = request.headers;
  headers.push_back("Content-Type: application/json");
  headers.push_back("Expect:");  // send the body at once instead of waiting for 100-continue
  auto header_list = make_curl_list(headers);
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(timeout, Millis(5000)).count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "kubedbt-runner");

  AttemptResult result;
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    result.verdict =
        is_transient(code) ? AttemptResult::Verdict::Retryable : AttemptResult::Verdict::Permanent;
    result.detail = describe(code);
    return result;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  result.verdict = judge_http_status(status);
  result.detail = "HTTP " + std::to_string(status);
  curl_header* retry_after = nullptr;
  if (result.verdict == AttemptResult::Verdict::Retryable &&
      curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &retry_after) == CURLHE_OK) {
    result.retry_after = parse_retry_after(retry_after->value, std::chrono::system_clock::now());
  }
  return result;
}

}  // namespace kubedbt::notify
