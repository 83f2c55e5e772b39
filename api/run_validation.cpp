// validate(DbtRun): references, deferral, schema override, limits; and the checks that need
// the project (target existence, no schema override on a protected target).
#include "api/validation.h"
#include "api/validation_rules.h"

namespace kubedbt::api {

using rules::add;

namespace {

// Deferral reads the other target's relations in this run's queries: same server and database.
bool same_database(const Target& a, const Target& b) {
  return a.host == b.host && a.port == b.port && a.database == b.database;
}

std::string where(const Target& t) {
  return "database " + t.database + " on " + t.host + ":" + std::to_string(t.port);
}

// A run's own schema is one only CI runs use: it carries the project's CI prefix and is never a
// target's schema, one dbt derives from it (<schema>_<custom>), or the state schema.
void check_ci_schema(FieldErrors& errors, const std::string& schema, const DbtProject& project) {
  const std::string& prefix = project.spec.ci.schema_prefix;
  if (schema.rfind(prefix, 0) != 0) {
    add(errors, "spec.schema",
        "\"" + schema + "\" must start with \"" + prefix +
            "\", the CI schema prefix of DbtProject \"" + project.metadata.name +
            "\" (spec.ci.schemaPrefix), such as " + prefix + "pr_42");
  }
  for (const auto& [name, target] : project.spec.targets) {
    if (rules::is_schema_or_child(schema, target.schema)) {
      add(errors, "spec.schema",
          "\"" + schema + "\" is the schema of target \"" + name + "\" (\"" + target.schema +
              "\") or one dbt builds from it; a run's own schema must be new, such as " + prefix +
              "pr_42");
    }
  }
  if (rules::is_schema_or_child(schema, project.spec.state.schema)) {
    add(errors, "spec.schema",
        "\"" + schema + "\" is kubedbt's state schema (spec.state.schema of DbtProject \"" +
            project.metadata.name + "\"); name the run's own schema, such as " + prefix + "pr_42");
  }
}

}  // namespace

FieldErrors validate(const DbtRun& run) {
  FieldErrors errors;
  const DbtRunSpec& spec = run.spec;
  rules::check_name_length(errors, kDbtRunKind, run.metadata.name, rules::kMaxRunNameLength,
                           "it names the run's Job");
  rules::check_object_ref(errors, "spec.projectRef.name", spec.project_ref.name, "DbtProject");
  if (spec.target) rules::check_target_name(errors, "spec.target", *spec.target);
  if (spec.schedule_ref) {
    rules::check_object_ref(errors, "spec.scheduleRef.name", spec.schedule_ref->name,
                            "DbtSchedule");
  }
  rules::check_invocation(errors, "spec", spec.invocation);
  if (spec.source && spec.source->ref &&
      (spec.source->ref->empty() || spec.source->ref->size() > 255 ||
       spec.source->ref->starts_with("-") ||
       spec.source->ref->find_first_of(" \t\n") != std::string::npos)) {
    add(errors, "spec.source.ref",
        "must be a branch, tag or commit of 1 to 255 characters without spaces, not starting "
        "with '-', such as a pull request's head commit");
  }
  if (spec.defer) {
    rules::check_target_name(errors, "spec.defer.to", spec.defer->to);
    if (spec.target && *spec.target == spec.defer->to) {
      add(errors, "spec.defer.to",
          "must name another target than spec.target (defer a CI run to production, such as prod)");
    }
  }
  if (spec.schema) {
    if (!rules::is_identifier(*spec.schema)) {
      add(errors, "spec.schema",
          "\"" + *spec.schema +
              "\" must be a schema name of letters, digits and '_', not "
              "starting with a digit, at most 63 characters (such as ci_pr_42)");
    }
    if (!spec.target) {
      add(errors, "spec.schema",
          "needs spec.target: name the non-protected target whose schema this run replaces");
    }
    if (rules::is_system_schema(*spec.schema)) {
      add(errors, "spec.schema",
          "\"" + *spec.schema +
              "\" is a PostgreSQL schema (public, information_schema, pg_*); name the run's own "
              "schema, such as ci_pr_42");
    }
  }
  if (spec.deployment.strategy == DeploymentStrategy::BlueGreen) {
    rules::check_blue_green(errors, "spec", spec.invocation);
    if (spec.defer) {
      add(errors, "spec.deployment.strategy",
          "BlueGreen builds the whole project and cannot defer; drop spec.defer or use Direct");
    }
  }
  if (spec.keep_schema && !spec.schema) {
    add(errors, "spec.keepSchema",
        "only applies to a run with spec.schema (the target's own schema is never dropped); set "
        "spec.schema or drop spec.keepSchema");
  }
  if (spec.timeout) rules::check_timeout(errors, "spec.timeout", *spec.timeout);
  rules::check_retries(errors, "spec.retries", spec.retries);
  return errors;
}

FieldErrors validate_against_project(const DbtRun& run, const DbtProject& project) {
  FieldErrors errors;
  const DbtRunSpec& spec = run.spec;
  const auto& targets = project.spec.targets;
  const std::string& project_name = project.metadata.name;
  const std::string* target_name =
      spec.target ? &*spec.target : project.spec.effective_default_target();
  if (target_name == nullptr) {
    add(errors, "spec.target",
        "is required because DbtProject \"" + project_name +
            "\" has no spec.defaultTarget; name one of its targets");
  } else if (auto it = targets.find(*target_name); it == targets.end()) {
    add(errors, "spec.target",
        "\"" + *target_name + "\" is not a target of DbtProject \"" + project_name +
            "\"; use one of its spec.targets");
  } else if (spec.schema && it->second.is_protected) {
    add(errors, "spec.schema",
        "cannot override the schema of protected target \"" + *target_name +
            "\"; run against a non-protected target such as a dev or ci target, or drop "
            "spec.schema");
  }
  if (spec.schema) check_ci_schema(errors, *spec.schema, project);
  if (spec.defer) {
    auto defer_to = targets.find(spec.defer->to);
    auto own = target_name ? targets.find(*target_name) : targets.end();
    if (defer_to == targets.end()) {
      add(errors, "spec.defer.to",
          "\"" + spec.defer->to + "\" is not a target of DbtProject \"" + project_name +
              "\"; defer to one of its spec.targets, usually the production one");
    } else if (own != targets.end() && !same_database(own->second, defer_to->second)) {
      add(errors, "spec.defer.to",
          "\"" + spec.defer->to + "\" (" + where(defer_to->second) +
              ") is not in the database of target \"" + own->first + "\" (" + where(own->second) +
              "): PostgreSQL cannot defer across databases, since a deferred model reads the "
              "other target's tables in the same query; run on a target in the same database "
              "and host, or drop spec.defer");
    }
  }
  if (spec.source && spec.source->ref && !project.spec.source.git) {
    add(errors, "spec.source.ref",
        "needs a project whose spec.source is git; DbtProject \"" + project_name +
            "\" runs code baked into its image, so drop spec.source.ref");
  }
  return errors;
}

}  // namespace kubedbt::api
