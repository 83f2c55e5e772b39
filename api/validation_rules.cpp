// Shared validation checks; each message names the field and the accepted values.
#include "api/validation_rules.h"

#include <algorithm>
#include <cctype>

#include "api/duration.h"

namespace kubedbt::api {

std::string join_messages(const FieldErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.message;
  }
  return out;
}

namespace rules {

namespace {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }

// One RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
bool is_dns_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

}  // namespace

bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    if (!is_dns_label(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_target_name(std::string_view s) {
  return !s.empty() && s.size() <= 63 && is_alnum(s.front()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_word(c) || c == '-'; });
}

bool is_identifier(std::string_view s) { return s.size() <= 63 && is_env_name(s); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_system_schema(std::string_view schema) {
  auto name = lower(schema);
  return name == "public" || name == "information_schema" || name.rfind("pg_", 0) == 0;
}

bool is_schema_or_child(std::string_view schema, std::string_view parent) {
  auto name = lower(schema);
  auto base = lower(parent);
  return name == base || name.rfind(base + "_", 0) == 0;
}

bool is_secret_key(std::string_view s) {
  return !s.empty() && s.size() <= 253 && std::all_of(s.begin(), s.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool is_ssh_git_url(std::string_view url) {
  if (url.starts_with("ssh://") || url.starts_with("git+ssh://")) return true;
  auto at = url.find('@');
  auto colon = url.find(':');
  return url.find("://") == std::string_view::npos && at != std::string_view::npos &&
         colon != std::string_view::npos && at < colon;
}

bool git_url_has_credentials(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  auto authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return false;
  bool http = url.starts_with("http://") || url.starts_with("https://");
  return http || authority.substr(0, at).find(':') != std::string_view::npos;
}

bool is_env_name(std::string_view s) {
  return !s.empty() && s.size() <= 253 && (is_alpha(s.front()) || s.front() == '_') &&
         std::all_of(s.begin(), s.end(), is_word);
}

bool looks_like_time_zone(std::string_view s) {
  if (s.empty() || s.size() > 64 || !is_alpha(s.front()) || s.back() == '/') return false;
  if (s.find("//") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_word(c) || c == '+' || c == '-' || c == '/'; });
}

void add(FieldErrors& errors, const std::string& field, const std::string& problem) {
  errors.push_back(FieldError{field, field + " " + problem});
}

void check_name_length(FieldErrors& errors, std::string_view kind, const std::string& name,
                       std::size_t max, std::string_view why) {
  if (name.size() > max) {
    add(errors, "metadata.name",
        "of a " + std::string(kind) + " must be at most " + std::to_string(max) + " characters (" +
            std::string(why) + "); " + in_quotes(name) + " has " + std::to_string(name.size()) +
            ", choose a shorter name");
  }
}

void check_object_ref(FieldErrors& errors, const std::string& field, const std::string& name,
                      std::string_view kind) {
  if (!is_dns_subdomain(name)) {
    add(errors, field,
        name.empty()
            ? "is required: set it to the name of a " + std::string(kind) + " in the same namespace"
            : in_quotes(name) + " is not a valid " + std::string(kind) +
                  " name: use lower-case letters, digits, '-' and '.'");
  }
}

void check_target_name(FieldErrors& errors, const std::string& field, const std::string& name) {
  if (!is_target_name(name)) {
    add(errors, field,
        in_quotes(name) +
            " is not a valid target name: use letters, digits, '_' or '-', starting "
            "with a letter or digit, at most 63 characters (such as dev or prod)");
  }
}

void check_secret_key_ref(FieldErrors& errors, const std::string& field, const SecretKeyRef& ref) {
  if (!is_dns_subdomain(ref.name)) {
    add(errors, field + ".name",
        ref.name.empty() ? "is required: set it to the name of a Secret in the same namespace"
                         : in_quotes(ref.name) +
                               " is not a valid Secret name: use lower-case "
                               "letters, digits, '-' and '.'");
  }
  if (!is_secret_key(ref.key)) {
    add(errors, field + ".key",
        ref.key.empty() ? "is required: set it to the key inside the Secret, such as password"
                        : in_quotes(ref.key) +
                              " is not a valid Secret key: use letters, digits, "
                              "'-', '_' and '.'");
  }
}

void check_env(FieldErrors& errors, const std::string& field, const std::vector<EnvVar>& env) {
  for (std::size_t i = 0; i < env.size(); ++i) {
    const std::string item = field + "[" + std::to_string(i) + "]";
    if (!is_env_name(env[i].name)) {
      add(errors, item + ".name",
          in_quotes(env[i].name) +
              " is not a valid variable name: use letters, digits and '_', "
              "not starting with a digit");
    }
    if (env[i].value && !env[i].value_from.is_null()) {
      add(errors, item, "sets both value and valueFrom; keep one");
    }
  }
}

void check_threads(FieldErrors& errors, const std::string& field, std::int32_t threads) {
  if (threads < 1 || threads > kMaxThreads) {
    add(errors, field,
        "must be between 1 and " + std::to_string(kMaxThreads) + "; " + std::to_string(threads) +
            " is out of range");
  }
}

void check_invocation(FieldErrors& errors, const std::string& spec, const DbtInvocation& v) {
  const auto& allowed = allowed_commands();
  if (v.commands.empty() || v.commands.size() > kMaxCommands) {
    add(errors, spec + ".commands",
        "must list between 1 and " + std::to_string(kMaxCommands) +
            " dbt commands, such as [\"source freshness\", \"build\"]");
  }
  for (std::size_t i = 0; i < v.commands.size(); ++i) {
    if (std::find(allowed.begin(), allowed.end(), v.commands[i]) == allowed.end()) {
      std::string choices;
      for (const auto& c : allowed) choices += (choices.empty() ? "" : ", ") + c;
      add(errors, spec + ".commands[" + std::to_string(i) + "]",
          in_quotes(v.commands[i]) + " is not a supported dbt command; use one of " + choices);
    }
  }
  for (const auto& [name, list] :
       {std::pair{"select", &v.select}, std::pair{"exclude", &v.exclude}}) {
    const std::string field = spec + "." + name;
    if (list->size() > kMaxSelectors) {
      add(errors, field,
          "has " + std::to_string(list->size()) + " entries; use at most " +
              std::to_string(kMaxSelectors) + " or a YAML selector (spec.selector)");
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string& item = (*list)[i];
      if (item.empty() || item.size() > 512) {
        add(errors, field + "[" + std::to_string(i) + "]",
            "must be a dbt node selection of 1 to 512 characters, such as state:modified+");
      }
    }
  }
  if (v.selector) {
    if (v.selector->empty() || v.selector->size() > 253) {
      add(errors, spec + ".selector",
          "must name a selector of the project's selectors.yml (1 to 253 characters)");
    }
    if (!v.select.empty() || !v.exclude.empty()) {
      add(errors, spec + ".selector",
          "cannot be combined with spec.select or spec.exclude; put the selection in the YAML "
          "selector or drop spec.selector");
    }
  }
  if (!v.vars.is_null() && !v.vars.is_object()) {
    add(errors, spec + ".vars",
        "must be an object of dbt variables, such as {run_date: 2026-01-01}");
  }
  if (v.threads) check_threads(errors, spec + ".threads", *v.threads);
}

void check_blue_green(FieldErrors& errors, const std::string& spec, const DbtInvocation& v) {
  if (!v.select.empty() || !v.exclude.empty() || v.selector) {
    add(errors, spec + ".deployment.strategy",
        "BlueGreen builds every model into staging schemas before the swap; remove " + spec +
            ".select, exclude and selector, or use the Direct strategy");
  }
}

void check_timeout(FieldErrors& errors, const std::string& field, const std::string& timeout) {
  auto d = parse_duration(timeout);
  if (!d || *d < kMinTimeout || *d > kMaxTimeout) {
    add(errors, field,
        in_quotes(timeout) + " must be a duration such as 45m or 2h30m, between 1m and 168h");
  }
}

void check_retries(FieldErrors& errors, const std::string& field, const Retries& retries) {
  if (retries.limit < 0 || retries.limit > kMaxRetries) {
    add(errors, field + ".limit",
        "must be between 0 and " + std::to_string(kMaxRetries) + " (0 disables retries); " +
            std::to_string(retries.limit) + " is out of range");
  }
}

}  // namespace rules
}  // namespace kubedbt::api
