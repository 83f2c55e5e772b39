// Validation of a target: a supported type, a secret env var with dbt's masking prefix, safe
// extras.
#include "runner/spec/target_spec.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace kubedbt::runner {
namespace {

constexpr std::array kSslModes = {"disable", "allow",     "prefer",
                                  "require", "verify-ca", "verify-full"};
// Keys the runner writes itself; `extra` may not override them.
constexpr std::array kCoreKeys = {"type",   "host",     "port",   "user",    "password", "pass",
                                  "dbname", "database", "schema", "threads", "sslmode"};
// Keys that would carry a secret value in clear.
constexpr std::array kSecretKeys = {"password", "pass", "token", "private_key", "secret"};

bool valid_env_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

TargetSpec parse_target(const JsonFields& f, const std::string& name) {
  for (const char* key : kSecretKeys) {
    if (f.has(key)) {
      throw SpecError(f.path_of(key),
                      "secret values are not accepted here; keep the password in a Secret and name "
                      "the environment variable that carries it in passwordEnv (prefix " +
                          std::string(kSecretEnvPrefix) + ")");
    }
  }
  f.only({"name", "type", "host", "port", "user", "dbname", "database", "schema", "threads",
          "sslmode", "passwordEnv", "extra", "protected"});
  TargetSpec t;
  t.name = name;
  t.type = f.optional_string("type").value_or("postgres");
  if (t.type != "postgres") {
    throw SpecError(f.path_of("type"), "\"" + t.type + "\" is not supported (supported: postgres)");
  }
  t.host = f.required_string("host");
  t.port = static_cast<int>(f.optional_int("port", 1, 65535).value_or(5432));
  t.user = f.required_string("user");
  auto dbname = f.optional_string("dbname");
  auto database = f.optional_string("database");
  if (dbname && database && *dbname != *database) {
    throw SpecError(f.path_of("database"), "contradicts dbname; give one of them");
  }
  if (!dbname && !database) throw SpecError(f.path_of("dbname"), "is required");
  t.dbname = dbname ? *dbname : *database;
  t.schema = f.required_string("schema");
  t.threads = static_cast<int>(f.optional_int("threads", 1, 64).value_or(4));
  t.sslmode = f.optional_string("sslmode");
  if (t.sslmode && std::find(kSslModes.begin(), kSslModes.end(), *t.sslmode) == kSslModes.end()) {
    throw SpecError(f.path_of("sslmode"),
                    "\"" + *t.sslmode +
                        "\" is not one of disable, allow, prefer, require, verify-ca, verify-full");
  }
  t.password_env = f.required_string("passwordEnv");
  if (!valid_env_name(t.password_env) || t.password_env.rfind(kSecretEnvPrefix, 0) != 0 ||
      t.password_env.size() == std::string(kSecretEnvPrefix).size()) {
    throw SpecError(f.path_of("passwordEnv"),
                    "must be an environment variable name starting with " +
                        std::string(kSecretEnvPrefix) + " (so dbt masks its value), got \"" +
                        t.password_env + "\"");
  }
  auto extra = f.object("extra");
  for (const auto& [key, value] : extra.json().items()) {
    if (std::find(kCoreKeys.begin(), kCoreKeys.end(), key) != kCoreKeys.end()) {
      throw SpecError(extra.path_of(key), "is set by the runner from the target's own fields");
    }
    if (!value.is_primitive() || value.is_null()) {
      throw SpecError(extra.path_of(key), "must be a string, number or boolean");
    }
  }
  t.extra = extra.json();
  t.is_protected = f.optional_bool("protected").value_or(false);
  return t;
}

}  // namespace kubedbt::runner
