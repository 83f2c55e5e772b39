// Limits and checks shared by the validators of the three kinds (the CRDs state the same ones).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/common_types.h"
#include "api/field_error.h"

namespace kubedbt::api::rules {

inline constexpr std::size_t kMaxProjectNameLength = 63;   // used in label values
inline constexpr std::size_t kMaxScheduleNameLength = 52;  // CronJob adds an 11-char Job suffix
inline constexpr std::size_t kMaxRunNameLength = 63;       // names its Job; job-name label
inline constexpr std::int32_t kMaxRetries = 10;
inline constexpr std::chrono::seconds kMinTimeout = std::chrono::minutes(1);
inline constexpr std::chrono::seconds kMaxTimeout = std::chrono::hours(168);
inline constexpr std::int32_t kMaxThreads = 64;
inline constexpr std::int32_t kMaxHistoryLimit = 100;
inline constexpr std::int64_t kMaxStartingDeadlineSeconds = 86400;
inline constexpr std::size_t kMaxCommands = 10;
inline constexpr std::size_t kMaxSelectors = 50;
// Anomaly thresholds (the runner refuses others): factors in [1.5, 1e6], history 3 to 1000 runs.
inline constexpr double kMinAnomalyFactor = 1.5;
inline constexpr double kMaxAnomalyFactor = 1e6;
inline constexpr std::int32_t kMinAnomalyHistoryRuns = 3;
inline constexpr std::int32_t kMaxAnomalyHistoryRuns = 1000;

// RFC 1123 subdomain (Secret, ServiceAccount, DbtProject names).
bool is_dns_subdomain(std::string_view s);
// A target name: letters, digits, '_' and '-', starting with a letter or digit, <= 63.
bool is_target_name(std::string_view s);
// A SQL identifier usable unquoted: [A-Za-z_][A-Za-z0-9_]*, <= 63.
bool is_identifier(std::string_view s);

// `s` in lower case (ASCII), as cron names and unquoted PostgreSQL names compare.
std::string lower(std::string_view s);

// PostgreSQL's own schemas: public, information_schema and pg_* (any case).
bool is_system_schema(std::string_view schema);

// Whether `schema` is `parent` or one of the custom schemas dbt derives from it
// ("<parent>_<custom>"), compared as PostgreSQL folds unquoted names (any case).
bool is_schema_or_child(std::string_view schema, std::string_view parent);
// A Secret data key: [-._a-zA-Z0-9]+, <= 253.
bool is_secret_key(std::string_view s);
// An environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool is_env_name(std::string_view s);
// A git URL over ssh: ssh://, git+ssh:// or scp-like user@host:path.
bool is_ssh_git_url(std::string_view url);
// Whether a git URL carries credentials: any user in an http(s) URL (a token as the user name is
// common), or user:password in any URL. They belong in the source Secret.
bool git_url_has_credentials(std::string_view url);
// The shape of an IANA zone name ("Europe/Berlin", "UTC", "Etc/GMT+1").
bool looks_like_time_zone(std::string_view s);

// Appends an error at `field` (the message is prefixed with the field path).
void add(FieldErrors& errors, const std::string& field, const std::string& problem);

void check_name_length(FieldErrors& errors, std::string_view kind, const std::string& name,
                       std::size_t max, std::string_view why);
void check_object_ref(FieldErrors& errors, const std::string& field, const std::string& name,
                      std::string_view kind);
void check_target_name(FieldErrors& errors, const std::string& field, const std::string& name);
void check_secret_key_ref(FieldErrors& errors, const std::string& field, const SecretKeyRef& ref);
void check_env(FieldErrors& errors, const std::string& field, const std::vector<EnvVar>& env);
void check_invocation(FieldErrors& errors, const std::string& spec_field, const DbtInvocation& v);
// BlueGreen swaps every schema the project writes, so it builds every model: no selection.
void check_blue_green(FieldErrors& errors, const std::string& spec_field, const DbtInvocation& v);
void check_timeout(FieldErrors& errors, const std::string& field, const std::string& timeout);
void check_retries(FieldErrors& errors, const std::string& field, const Retries& retries);
void check_threads(FieldErrors& errors, const std::string& field, std::int32_t threads);

}  // namespace kubedbt::api::rules
