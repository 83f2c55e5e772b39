// Owned libcurl handles (easy handle, header/recipient lists) and libcurl's one-time global set-up.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <vector>

namespace kubedbt::notify {

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

// A fresh easy handle (libcurl's global state initialised once, thread-safely); throws when libcurl
// cannot make one. Signals are off (NOSIGNAL), so timeouts are safe in any thread.
CurlEasy make_curl_easy();

// A curl_slist of `items`.
CurlList make_curl_list(const std::vector<std::string>& items);

// True for the libcurl errors a later attempt may not meet: the receiver was not reached, the
// connection broke, or the attempt timed out.
bool is_transient(CURLcode code);

// "connection failed: Couldn't connect to server" — libcurl's generic words, never the URL.
std::string describe(CURLcode code);

}  // namespace kubedbt::notify
