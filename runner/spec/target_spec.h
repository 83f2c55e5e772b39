// One dbt target (a warehouse connection) as the run spec describes it: no secret values, only the
// name of the environment variable that holds the password.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "runner/spec/json_fields.h"

namespace kubedbt::runner {

// dbt masks the value of every variable with this prefix in its logs and artifacts.
inline constexpr const char* kSecretEnvPrefix = "DBT_ENV_SECRET_";

struct TargetSpec {
  std::string name;  // dbt target name: "dev", "prod"
  std::string type = "postgres";
  std::string host;
  int port = 5432;
  std::string user;
  std::string dbname;
  std::string schema;
  int threads = 4;
  std::optional<std::string> sslmode;
  std::string password_env;                         // e.g. DBT_ENV_SECRET_PG_PASSWORD
  nlohmann::json extra = nlohmann::json::object();  // further profile keys, scalars only
  bool is_protected = false;                        // local mode refuses it
};

// Reads a target object; `name` comes from the caller (the key of a targets map, or a field).
// Throws SpecError naming the field.
TargetSpec parse_target(const JsonFields& fields, const std::string& name);

}  // namespace kubedbt::runner
