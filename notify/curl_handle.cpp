// libcurl set-up shared by the HTTP and SMTP senders.
#include "notify/curl_handle.h"

#include <mutex>
#include <stdexcept>

namespace kubedbt::notify {

CurlEasy make_curl_easy() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl global initialisation failed");
    }
  });
  CurlEasy easy(curl_easy_init());
  if (!easy) throw std::runtime_error("libcurl could not create a handle");
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  return easy;
}

CurlList make_curl_list(const std::vector<std::string>& items) {
  curl_slist* list = nullptr;
  for (const auto& item : items) {
    curl_slist* grown = curl_slist_append(list, item.c_str());
    if (!grown) {
      curl_slist_free_all(list);
      throw std::runtime_error("libcurl could not build a list (out of memory)");
    }
    list = grown;
  }
  return CurlList(list);
}

bool is_transient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

std::string describe(CURLcode code) {
  return std::string(is_transient(code) ? "connection failed: " : "failed: ") +
         curl_easy_strerror(code);
}

}  // namespace kubedbt::notify
