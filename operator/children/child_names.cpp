// Child names: the parent's name, shortened with a stable hash when a limit requires it.
#include "operator/children/child_names.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace kubedbt::op {
namespace {

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string fit_name(std::string_view name, std::size_t max_length) {
  if (name.size() <= max_length) return std::string(name);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%08x", static_cast<unsigned>(fnv1a(name) & 0xffffffffu));
  std::string prefix(name.substr(0, max_length - 9));
  while (!prefix.empty() && (prefix.back() == '-' || prefix.back() == '.')) prefix.pop_back();
  return prefix + "-" + hash;
}

std::string cron_job_name(std::string_view schedule) { return fit_name(schedule, 52); }

std::string job_name(std::string_view run) { return fit_name(run, 63 - 4) + "-run"; }

std::string job_name_of(const api::DbtRun& run) {
  return run.status.job_name ? *run.status.job_name : job_name(run.metadata.name);
}

bool is_schedule_job_name(std::string_view name, std::string_view schedule) {
  const std::string prefix = cron_job_name(schedule) + "-";
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return false;
  for (char c : name.substr(prefix.size())) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string drop_schema_job_name(std::string_view run) {
  return fit_name(std::string(run) + "-drop-schema", 63);
}

std::string password_env_name(std::string_view target) {
  std::string out = "DBT_ENV_SECRET_";
  for (unsigned char c : target) {
    out.push_back(std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_');
  }
  return out + "_PASSWORD";
}

}  // namespace kubedbt::op

namespace kubedbt::op {
std::string label_value(std::string_view name) { return fit_name(name, 63); }
}  // namespace kubedbt::op
