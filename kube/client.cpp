// The Client over HTTPS with cpprestsdk: pooled connections, bounded calls, streamed watches.
#include "kube/client.h"

#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include "kube/bearer_token.h"
#include "kube/errors.h"
#include "kube/object_store.h"
#include "kube/request_path.h"
#include "kube/tls_context.h"
#include "kube/watch_decoder.h"

namespace kubedbt::kube {
namespace {

namespace http = web::http;
using http::client::http_client;
using http::client::http_client_config;

// A watch connection may stay silent until the server's timeoutSeconds; the client waits this much
// longer before it calls the connection dead.
constexpr std::chrono::seconds kWatchIdleMargin{30};
// A watch without timeoutSeconds ends when the server decides (at most an hour by default).
constexpr std::chrono::seconds kWatchIdleWithoutServerTimeout{3600};
constexpr std::size_t kWatchReadBytes = 64 * 1024;
constexpr const char* kUserAgent = "kubedbt/0.1";

// Cancels a request that is still running when its time budget is spent: cpprest's own timeout
// bounds only the silence between two reads, not the whole call.
class Deadline {
 public:
  explicit Deadline(std::chrono::steady_clock::duration budget)
      : expired_(std::make_shared<std::atomic<bool>>(false)),
        timer_(crossplat::threadpool::shared_instance().service()) {
    timer_.expires_after(budget);
    timer_.async_wait(
        [cts = cts_, expired = expired_](const boost::system::error_code& ec) mutable {
          if (ec) return;
          expired->store(true);
          cts.cancel();
        });
  }
  ~Deadline() { timer_.cancel(); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  pplx::cancellation_token token() const { return cts_.get_token(); }
  bool expired() const { return expired_->load(); }

 private:
  pplx::cancellation_token_source cts_;
  std::shared_ptr<std::atomic<bool>> expired_;
  boost::asio::steady_timer timer_;
};

struct RawResponse {
  int code = 0;
  std::string body;
};

[[noreturn]] void throw_for_response(const std::string& operation, const RawResponse& response) {
  Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) body = response.body.substr(0, 1024);
  throw_api_error(operation, Status::from_json(body, response.code));
}

[[noreturn]] void throw_timeout(const std::string& operation, const std::string& message) {
  throw Timeout(operation, Status{408, "Timeout", message, {}});
}

Json parse_success_body(const std::string& text) {
  if (text.empty()) return nullptr;
  Json body = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return body.is_discarded() ? Json(text) : body;
}

// List items carry no kind/apiVersion on the wire; restore them from the list's own type.
void fill_item_types(Json& list_body) {
  std::string kind = list_body.value("kind", "");
  std::string api_version = list_body.value("apiVersion", "");
  if (kind.size() > 4 && kind.ends_with("List")) kind.resize(kind.size() - 4);
  for (auto& item : list_body["items"]) {
    if (!item.is_object()) continue;
    if (!item.contains("kind") && !kind.empty()) item["kind"] = kind;
    if (!item.contains("apiVersion") && !api_version.empty()) item["apiVersion"] = api_version;
  }
}

class HttpClient final : public Client {
 public:
  explicit HttpClient(Config config)
      : config_(std::move(config)),
        token_(config_),
        unary_(std::make_shared<http_client>(web::uri(config_.server),
                                             client_config(config_.request_timeout))) {}

  Json get(const Resource& r, const std::string& ns, const std::string& name,
           const GetOptions& opts) override {
    return call("GET", r.object_path(ns, name), std::nullopt, kContentJson,
                opts.metadata_only ? kAcceptMetadata : kAcceptJson);
  }

  ListResult list(const Resource& r, const std::string& ns, const ListOptions& opts) override {
    Json body = call("GET", list_path(r, ns, opts), std::nullopt, kContentJson,
                     opts.metadata_only ? kAcceptMetadataList : kAcceptJson);
    ListResult result;
    if (!body.is_object()) return result;
    if (body.contains("items") && body["items"].is_array()) {
      fill_item_types(body);
      result.items = std::move(body["items"].get_ref<Json::array_t&>());
    }
    if (auto metadata = body.find("metadata"); metadata != body.end() && metadata->is_object()) {
      result.resource_version = metadata->value("resourceVersion", "");
      result.continue_token = metadata->value("continue", "");
    }
    return result;
  }

  ListResult list_all(const Resource& r, const std::string& ns, ListOptions opts,
                      int64_t page_size) override {
    opts.limit = page_size;
    ListResult all;
    bool first = true;
    do {
      ListResult page = list(r, ns, opts);
      if (first) all.resource_version = page.resource_version;
      first = false;
      all.items.insert(all.items.end(), std::make_move_iterator(page.items.begin()),
                       std::make_move_iterator(page.items.end()));
      opts.continue_token = std::move(page.continue_token);
      opts.resource_version.clear();  // the server refuses a resourceVersion with a continue token
    } while (!opts.continue_token.empty());
    return all;
  }

  Json create(const Resource& r, const std::string& ns, const Json& object,
              const std::string& subresource, const std::string& name) override {
    std::string where = namespace_for(r, ns, object);
    std::string path =
        subresource.empty()
            ? r.collection_path(where)
            : r.object_path(where, name.empty() ? required_name(object, "create") : name,
                            subresource);
    return call("POST", path, object.dump(), kContentJson, kAcceptJson);
  }

  Json update(const Resource& r, const std::string& ns, const Json& object,
              const std::string& subresource) override {
    std::string path =
        r.object_path(namespace_for(r, ns, object), required_name(object, "update"), subresource);
    return call("PUT", path, object.dump(), kContentJson, kAcceptJson);
  }

  Json merge_patch(const Resource& r, const std::string& ns, const std::string& name,
                   const Json& patch, const std::string& subresource) override {
    return call("PATCH", r.object_path(ns, name, subresource), patch.dump(), kContentMergePatch,
                kAcceptJson);
  }

  Json apply(const Resource& r, const std::string& ns, const Json& object, const ApplyOptions& opts,
             const std::string& subresource) override {
    std::string path = apply_path(r, namespace_for(r, ns, object), required_name(object, "apply"),
                                  opts, subresource);
    return call("PATCH", path, object.dump(), kContentApplyPatch, kAcceptJson);
  }

  Json remove(const Resource& r, const std::string& ns, const std::string& name,
              const DeleteOptions& opts) override {
    Json body = delete_options_body(opts);
    std::optional<std::string> text;
    if (!body.is_null()) text = body.dump();
    return call("DELETE", r.object_path(ns, name), text, kContentJson, kAcceptJson);
  }

  std::string watch(const Resource& r, const std::string& ns, const WatchOptions& opts,
                    const std::function<WatchControl(const WatchEvent&)>& on_event,
                    std::stop_token stop) override;

  Json request(const std::string& method, const std::string& path_and_query,
               const std::optional<Json>& body, const std::string& content_type) override {
    std::optional<std::string> text;
    if (body) text = body->dump();
    return call(method, path_and_query, text, content_type, kAcceptJson);
  }

  const Config& config() const override { return config_; }

 private:
  http_client_config client_config(std::chrono::seconds idle_timeout) const {
    http_client_config cfg;
    cfg.set_timeout(idle_timeout);
    cfg.set_validate_certificates(!config_.insecure_skip_tls_verify);
    Config tls = config_;
    cfg.set_ssl_context_callback(
        [tls](boost::asio::ssl::context& context) { configure_tls(context, tls); });
    return cfg;
  }

  static std::string namespace_for(const Resource& r, const std::string& ns, const Json& object) {
    if (!ns.empty() || !r.namespaced) return ns;
    return object_namespace(object);
  }

  static std::string required_name(const Json& object, const char* verb) {
    std::string name = object_name(object);
    if (name.empty()) {
      throw std::invalid_argument(std::string(verb) + ": the object has no metadata.name");
    }
    return name;
  }

  http::http_request build(const std::string& method, const std::string& path_and_query,
                           const std::optional<std::string>& body, const std::string& content_type,
                           const std::string& accept, const std::string& operation) {
    http::http_request request(method);
    request.set_request_uri(web::uri(path_and_query));
    request.headers().add("Accept", accept);
    request.headers().add("User-Agent", kUserAgent);
    std::string token;
    try {
      token = token_.current();
    } catch (const std::exception& e) {
      throw TransportError(operation, std::string("bearer token: ") + e.what());
    }
    if (!token.empty()) request.headers().add("Authorization", "Bearer " + token);
    if (body) request.set_body(*body, content_type);
    return request;
  }

  RawResponse send(const std::string& method, const std::string& path_and_query,
                   const std::optional<std::string>& body, const std::string& content_type,
                   const std::string& accept, const std::string& operation) {
    const std::string budget =
        "no answer within " + std::to_string(config_.request_timeout.count()) + "s";
    Deadline deadline(config_.request_timeout);
    for (int attempt = 1;; ++attempt) {
      std::shared_ptr<http_client> client = unary_client();
      try {
        http::http_response response =
            client
                ->request(build(method, path_and_query, body, content_type, accept, operation),
                          deadline.token())
                .get();
        std::string text = response.extract_utf8string(/*ignore_content_type=*/true).get();
        return {response.status_code(), std::move(text)};
      } catch (const http::http_exception& e) {
        if (deadline.expired() || e.error_code() == std::errc::timed_out) {
          throw_timeout(operation, budget);
        }
        // Pooled connections may all be dead (the server restarted): start a fresh pool, and
        // send once more when that cannot run the request twice.
        discard_unary_client(client);
        if (attempt == 1 && safe_to_resend(method, e.what())) continue;
        throw TransportError(operation, e.what());
      } catch (const pplx::task_canceled&) {
        throw_timeout(operation, budget);
      }
    }
  }

  // A GET has no effect; a request whose headers or body could not be written never reached the
  // server whole, so the server cannot have acted on it.
  static bool safe_to_resend(const std::string& method, const std::string& failure) {
    return method == "GET" || failure.starts_with("Failed to write request");
  }

  std::shared_ptr<http_client> unary_client() {
    std::lock_guard lock(clients_mu_);
    return unary_;
  }

  void discard_unary_client(const std::shared_ptr<http_client>& failed) {
    std::lock_guard lock(clients_mu_);
    if (unary_ == failed) {
      unary_ = std::make_shared<http_client>(web::uri(config_.server),
                                             client_config(config_.request_timeout));
    }
  }

  Json call(const std::string& method, const std::string& path_and_query,
            const std::optional<std::string>& body, const std::string& content_type,
            const std::string& accept) {
    const std::string operation = method + " " + path_and_query;
    RawResponse response = send(method, path_and_query, body, content_type, accept, operation);
    if (response.code < 200 || response.code >= 300) throw_for_response(operation, response);
    return parse_success_body(response.body);
  }

  // One pooled client per idle timeout, so a finished watch's connection serves the next one.
  std::shared_ptr<http_client> watch_client(int timeout_seconds) {
    std::lock_guard lock(clients_mu_);
    auto& slot = watch_clients_[watch_idle_timeout(timeout_seconds).count()];
    if (!slot) {
      slot = std::make_shared<http_client>(web::uri(config_.server),
                                           client_config(watch_idle_timeout(timeout_seconds)));
    }
    return slot;
  }

  void discard_watch_client(int timeout_seconds, const std::shared_ptr<http_client>& failed) {
    std::lock_guard lock(clients_mu_);
    auto it = watch_clients_.find(watch_idle_timeout(timeout_seconds).count());
    if (it != watch_clients_.end() && it->second == failed) watch_clients_.erase(it);
  }

  static std::chrono::seconds watch_idle_timeout(int timeout_seconds) {
    return timeout_seconds > 0 ? std::chrono::seconds(timeout_seconds) + kWatchIdleMargin
                               : kWatchIdleWithoutServerTimeout + kWatchIdleMargin;
  }

  Config config_;
  BearerToken token_;
  std::mutex clients_mu_;
  std::shared_ptr<http_client> unary_;
  std::map<int64_t, std::shared_ptr<http_client>> watch_clients_;
};

std::string HttpClient::watch(const Resource& r, const std::string& ns, const WatchOptions& opts,
                              const std::function<WatchControl(const WatchEvent&)>& on_event,
                              std::stop_token stop) {
  const std::string path = watch_path(r, ns, opts);
  const std::string operation = "GET " + path;
  std::string last_version = opts.resource_version;
  if (stop.stop_requested()) return last_version;

  pplx::cancellation_token_source cancel;
  std::stop_callback cancel_on_stop(stop, [&cancel] { cancel.cancel(); });

  http::http_request request = build("GET", path, std::nullopt, kContentJson,
                                     opts.metadata_only ? kAcceptMetadata : kAcceptJson, operation);
  std::shared_ptr<http_client> client = watch_client(opts.timeout_seconds);
  http::http_response response;
  try {
    response = client->request(request, cancel.get_token()).get();
  } catch (const std::exception& e) {
    if (stop.stop_requested()) return last_version;
    discard_watch_client(opts.timeout_seconds, client);
    throw TransportError(operation, e.what());
  }
  if (response.status_code() != http::status_codes::OK) {
    RawResponse failed{response.status_code(), ""};
    try {
      failed.body = response.extract_utf8string(true).get();
    } catch (const std::exception&) {
      // The status code alone still says what went wrong.
    }
    throw_for_response(operation, failed);
  }

  // An ERROR event or a throwing handler stops the stream; its exception is rethrown as it is.
  std::exception_ptr failure;
  WatchDecoder decoder([&](const WatchEvent& event) {
    try {
      if (event.type == WatchEvent::Type::Error) {
        throw_api_error(operation, Status::from_json(event.object, 500));
      }
      if (std::string version = resource_version_of(event.object); !version.empty()) {
        last_version = std::move(version);
      }
      return on_event(event);
    } catch (...) {
      failure = std::current_exception();
      return WatchControl::Stop;
    }
  });

  auto body = response.body().streambuf();
  std::vector<uint8_t> buffer(kWatchReadBytes);
  bool ended_cleanly = false;
  bool stopped_early = false;  // by the handler, an ERROR event or a failing handler
  try {
    while (true) {
      // getn completes only once `count` bytes are buffered, so ask for what is already there,
      // or for a single byte to wait for the next chunk.
      std::size_t ready =
          std::min<std::size_t>(buffer.size(), std::max<std::streamsize>(1, body.in_avail()));
      std::size_t n = body.getn(buffer.data(), ready).get();
      if (n == 0) break;
      std::string_view chunk(reinterpret_cast<const char*>(buffer.data()), n);
      if (decoder.feed(chunk) == WatchControl::Stop) {
        stopped_early = true;
        break;
      }
    }
    if (!stopped_early && !stop.stop_requested()) {
      // End of body: either the server closed the stream cleanly, or the connection broke.
      response.content_ready().get();
      ended_cleanly = true;
      decoder.finish();
    }
  } catch (const std::exception& e) {
    cancel.cancel();
    if (stop.stop_requested()) return last_version;
    throw TransportError(operation, std::string("watch stream broke: ") + e.what());
  }
  if (!ended_cleanly) cancel.cancel();  // a stream stopped early is closed, never pooled
  if (failure) std::rethrow_exception(failure);
  return last_version;
}

}  // namespace

std::unique_ptr<Client> make_client(const Config& config) {
  if (config.server.empty()) throw std::invalid_argument("kube client: the config has no server");
  validate_tls(config);
  return std::make_unique<HttpClient>(config);
}

}  // namespace kubedbt::kube
