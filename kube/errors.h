// Typed errors of the Kubernetes API: each carries the server's Status (reason, message, causes).
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace kubedbt::kube {

// One entry of Status.details.causes: which field was wrong and why.
struct StatusCause {
  std::string reason;
  std::string message;
  std::string field;
};

// The metav1.Status the API server returned (or one synthesised from a bare HTTP error).
struct Status {
  int code = 0;
  std::string reason;   // e.g. "NotFound", "AlreadyExists", "Conflict", "Invalid"
  std::string message;  // the server's human-readable message
  std::vector<StatusCause> causes;

  static Status from_json(const nlohmann::json& body, int http_code);
};

// Base of every error the client throws for an API response; what() is
// "<verb> <path>: <code> <reason>: <message>".
class ApiError : public std::runtime_error {
 public:
  ApiError(std::string operation, Status status);
  const Status& status() const { return status_; }
  int code() const { return status_.code; }
  const std::string& reason() const { return status_.reason; }
  const std::string& operation() const { return operation_; }

 private:
  std::string operation_;
  Status status_;
};

#define KUBEDBT_API_ERROR(Name)                                \
  class Name : public ApiError {                               \
   public:                                                     \
    Name(std::string operation, Status status)                 \
        : ApiError(std::move(operation), std::move(status)) {} \
  }
KUBEDBT_API_ERROR(NotFound);       // 404
KUBEDBT_API_ERROR(AlreadyExists);  // 409 reason AlreadyExists
KUBEDBT_API_ERROR(Conflict);       // 409 otherwise (stale resourceVersion, SSA field conflict)
KUBEDBT_API_ERROR(Gone);           // 410 (watch or list from a compacted resourceVersion)
KUBEDBT_API_ERROR(Forbidden);      // 403
KUBEDBT_API_ERROR(Invalid);        // 422
KUBEDBT_API_ERROR(Unauthorized);   // 401
KUBEDBT_API_ERROR(BadRequest);     // 400
KUBEDBT_API_ERROR(Timeout);        // 408 / 504 / reason Timeout, and a request that ran out of time
KUBEDBT_API_ERROR(TooManyRequests);  // 429
KUBEDBT_API_ERROR(ServerError);      // 5xx and anything unexpected
#undef KUBEDBT_API_ERROR

// The request never got an HTTP answer: connection refused, TLS failure, reset.
class TransportError : public std::runtime_error {
 public:
  TransportError(const std::string& operation, const std::string& cause)
      : std::runtime_error(operation + ": " + cause) {}
};

// Throws the ApiError subclass that matches the status (code first, then reason).
[[noreturn]] void throw_api_error(const std::string& operation, Status status);

}  // namespace kubedbt::kube
