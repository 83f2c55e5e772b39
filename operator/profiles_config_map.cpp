// Renders profiles.yml with yaml-cpp (correct quoting), then wraps it in a ConfigMap.
#include "operator/profiles_config_map.h"

#include <yaml-cpp/yaml.h>

#include "operator/child_names.h"
#include "operator/kinds.h"
#include "operator/owner_reference.h"

namespace kubedbt::op {
namespace {

void emit_scalar(YAML::Emitter& out, const nlohmann::json& value) {
  if (value.is_string()) {
    out << value.get<std::string>();
  } else if (value.is_boolean()) {
    out << value.get<bool>();
  } else if (value.is_number_integer()) {
    out << value.get<int64_t>();
  } else if (value.is_number()) {
    out << value.get<double>();
  } else {
    out << value.dump();
  }
}

void emit_target(YAML::Emitter& out, const std::string& name, const api::Target& t) {
  out << YAML::Key << name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << std::string(api::to_string(t.type));
  out << YAML::Key << "host" << YAML::Value << t.host;
  out << YAML::Key << "port" << YAML::Value << t.port;
  out << YAML::Key << "user" << YAML::Value << t.user;
  out << YAML::Key << "password" << YAML::Value << YAML::DoubleQuoted
      << "{{ env_var('" + password_env_name(name) + "') }}";
  out << YAML::Key << "dbname" << YAML::Value << t.database;
  out << YAML::Key << "schema" << YAML::Value << t.schema;
  out << YAML::Key << "threads" << YAML::Value << t.threads;
  out << YAML::Key << "sslmode" << YAML::Value << std::string(api::to_string(t.sslmode));
  if (t.extra.is_object()) {
    for (const auto& [key, value] : t.extra.items()) {
      out << YAML::Key << key << YAML::Value;
      emit_scalar(out, value);
    }
  }
  out << YAML::EndMap;
}

}  // namespace

std::string render_profiles_yaml(const api::DbtProject& project) {
  const auto& spec = project.spec;
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << spec.profile << YAML::Value << YAML::BeginMap;
  if (const auto* target = spec.effective_default_target()) {
    out << YAML::Key << "target" << YAML::Value << *target;
  } else if (!spec.targets.empty()) {
    out << YAML::Key << "target" << YAML::Value << spec.targets.begin()->first;
  }
  out << YAML::Key << "outputs" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, target] : spec.targets) emit_target(out, name, target);
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

nlohmann::json build_profiles_config_map(const api::DbtProject& project) {
  return {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", profiles_config_map_name(project.metadata.name)},
        {"namespace", project.metadata.namespace_},
        {"labels",
         {{std::string(label::kManagedBy), std::string(label::kManagedByValue)},
          {std::string(label::kProject), project.metadata.name}}},
        {"ownerReferences",
         nlohmann::json::array({controller_reference(api::kDbtProjectKind, project.metadata)})}}},
      {"data", {{"profiles.yml", render_profiles_yaml(project)}}}};
}

}  // namespace kubedbt::op
