// Builds typed API errors from the server's metav1.Status.
#include "kube/errors.h"

#include <string>

namespace kubedbt::kube {
namespace {

// The reason Kubernetes uses for an HTTP code when the body carried no Status.
std::string reason_for_code(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 408:
      return "Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

std::string string_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string describe(const std::string& operation, const Status& status) {
  return operation + ": " + std::to_string(status.code) + " " + status.reason + ": " +
         status.message;
}

}  // namespace

Status Status::from_json(const nlohmann::json& body, int http_code) {
  Status status;
  status.code = http_code;
  if (body.is_object()) {
    if (auto code = body.find("code"); code != body.end() && code->is_number_integer()) {
      status.code = code->get<int>();
    }
    status.reason = string_field(body, "reason");
    status.message = string_field(body, "message");
    if (auto details = body.find("details"); details != body.end() && details->is_object()) {
      if (auto causes = details->find("causes"); causes != details->end() && causes->is_array()) {
        for (const auto& cause : *causes) {
          if (!cause.is_object()) continue;
          status.causes.push_back({string_field(cause, "reason"), string_field(cause, "message"),
                                   string_field(cause, "field")});
        }
      }
    }
  } else if (body.is_string()) {
    status.message = body.get<std::string>();
  }
  if (status.code == 0) status.code = http_code;
  if (status.reason.empty()) status.reason = reason_for_code(status.code);
  if (status.message.empty()) status.message = "the server answered " + std::to_string(http_code);
  return status;
}

ApiError::ApiError(std::string operation, Status status)
    : std::runtime_error(describe(operation, status)),
      operation_(std::move(operation)),
      status_(std::move(status)) {}

void throw_api_error(const std::string& operation, Status status) {
  switch (status.code) {
    case 400:
      throw BadRequest(operation, std::move(status));
    case 401:
      throw Unauthorized(operation, std::move(status));
    case 403:
      throw Forbidden(operation, std::move(status));
    case 404:
      throw NotFound(operation, std::move(status));
    case 408:
      throw Timeout(operation, std::move(status));
    case 409:
      if (status.reason == "AlreadyExists") throw AlreadyExists(operation, std::move(status));
      throw Conflict(operation, std::move(status));
    case 410:
      throw Gone(operation, std::move(status));
    case 422:
      throw Invalid(operation, std::move(status));
    case 429:
      throw TooManyRequests(operation, std::move(status));
    case 504:
      throw Timeout(operation, std::move(status));
    default:
      break;
  }
  // No code the switch knows: the reason decides (Status objects inside watch ERROR events, 5xx
  // timeouts), and anything else is a server error.
  const std::string& reason = status.reason;
  if (reason == "NotFound") throw NotFound(operation, std::move(status));
  if (reason == "AlreadyExists") throw AlreadyExists(operation, std::move(status));
  if (reason == "Conflict") throw Conflict(operation, std::move(status));
  if (reason == "Expired" || reason == "Gone") throw Gone(operation, std::move(status));
  if (reason == "Forbidden") throw Forbidden(operation, std::move(status));
  if (reason == "Invalid") throw Invalid(operation, std::move(status));
  if (reason == "Unauthorized") throw Unauthorized(operation, std::move(status));
  if (reason == "BadRequest") throw BadRequest(operation, std::move(status));
  if (reason == "Timeout" || reason == "ServerTimeout") throw Timeout(operation, std::move(status));
  if (reason == "TooManyRequests") throw TooManyRequests(operation, std::move(status));
  throw ServerError(operation, std::move(status));
}

}  // namespace kubedbt::kube
