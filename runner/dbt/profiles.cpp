// Renders profiles.yml with yaml-cpp so every value is quoted as YAML requires.
#include "runner/dbt/profiles.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <stdexcept>

namespace kubedbt::runner {
namespace {

void emit_scalar(YAML::Emitter& out, const nlohmann::json& value) {
  if (value.is_boolean()) {
    out << value.get<bool>();
  } else if (value.is_number_integer()) {
    out << value.get<int64_t>();
  } else if (value.is_number()) {
    out << value.get<double>();
  } else {
    out << YAML::DoubleQuoted << value.get<std::string>();
  }
}

}  // namespace

std::string render_profiles(const std::string& profile, const TargetSpec& t) {
  YAML::Emitter out;
  out << YAML::Comment("Written by kubedbt-runner; secrets are read from the environment.");
  out << YAML::BeginMap << YAML::Key << profile << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "target" << YAML::Value << t.name;
  out << YAML::Key << "outputs" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << t.name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << t.type;
  out << YAML::Key << "host" << YAML::Value << YAML::DoubleQuoted << t.host;
  out << YAML::Key << "port" << YAML::Value << t.port;
  out << YAML::Key << "user" << YAML::Value << YAML::DoubleQuoted << t.user;
  out << YAML::Key << "password" << YAML::Value << YAML::DoubleQuoted
      << "{{ env_var('" + t.password_env + "') }}";
  out << YAML::Key << "dbname" << YAML::Value << YAML::DoubleQuoted << t.dbname;
  out << YAML::Key << "schema" << YAML::Value << YAML::DoubleQuoted << t.schema;
  out << YAML::Key << "threads" << YAML::Value << t.threads;
  if (t.sslmode) out << YAML::Key << "sslmode" << YAML::Value << *t.sslmode;
  if (t.type == "postgres" && !t.extra.contains("keepalives_idle")) {
    // dbt's own sessions probe an idle connection, so a dead server is noticed (its server side
    // is set through PGOPTIONS, dbt_environment.h).
    out << YAML::Key << "keepalives_idle" << YAML::Value << kDbtKeepaliveIdleSeconds;
  }
  for (const auto& [key, value] : t.extra.items()) {
    out << YAML::Key << key << YAML::Value;
    emit_scalar(out, value);
  }
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  if (!out.good()) throw std::runtime_error("rendering profiles.yml: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

std::filesystem::path write_profiles(const std::filesystem::path& dir, const std::string& profile,
                                     const TargetSpec& target) {
  std::filesystem::create_directories(dir);
  auto path = dir / "profiles.yml";
  {
    std::ofstream file(path, std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write " + path.string());
    file << render_profiles(profile, target);
    if (!file) throw std::runtime_error("cannot write " + path.string());
  }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path;
}

}  // namespace kubedbt::runner
