// dbt's environment: the allow-list and dbt's own settings for this workspace.
#include "runner/dbt/dbt_environment.h"

#include <array>
#include <string_view>

namespace kubedbt::runner {
namespace {

// Variables dbt, Python and libpq read for where things are and how to talk to the network.
constexpr std::array<std::string_view, 28> kSystemNames = {"PATH",
                                                           "HOME",
                                                           "USER",
                                                           "LOGNAME",
                                                           "SHELL",
                                                           "HOSTNAME",
                                                           "LANG",
                                                           "LANGUAGE",
                                                           "TZ",
                                                           "TZDIR",
                                                           "TMPDIR",
                                                           "TMP",
                                                           "TEMP",
                                                           "VIRTUAL_ENV",
                                                           "PYTHONPATH",
                                                           "PYTHONHOME",
                                                           "PYTHONTZPATH",
                                                           "PYTHONIOENCODING",
                                                           "PYTHONUTF8",
                                                           "SSL_CERT_FILE",
                                                           "SSL_CERT_DIR",
                                                           "REQUESTS_CA_BUNDLE",
                                                           "CURL_CA_BUNDLE",
                                                           "HTTP_PROXY",
                                                           "HTTPS_PROXY",
                                                           "NO_PROXY",
                                                           "http_proxy",
                                                           "https_proxy"};

// Prefixes of allowed families: locale categories, dbt's own settings, libpq's TLS files.
constexpr std::array<std::string_view, 3> kAllowedPrefixes = {"LC_", "DBT_", "PGSSL"};

// The server side of dbt's own sessions, through libpq's PGOPTIONS (dbt-postgres passes no
// options of its own unless a search_path is set): the server probes an idle connection and ends
// a dead one, so a killed pod's queries and locks go within about two minutes. No
// statement_timeout: a model may rightly run for hours; the run's timeout cancels it.
constexpr std::string_view kDbtSessionOptions =
    "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3 "
    "-c tcp_user_timeout=60000";

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

bool dbt_may_see(const std::string& name, const std::optional<std::set<std::string>>& declared) {
  if (starts_with(name, "KUBEDBT_")) return false;
  if (name == "no_proxy") return true;
  for (auto allowed : kSystemNames) {
    if (name == allowed) return true;
  }
  for (auto prefix : kAllowedPrefixes) {
    if (starts_with(name, prefix)) return true;
  }
  return !declared || declared->count(name) > 0;
}

Environment dbt_environment(const Environment& base, const Workspace& ws,
                            const std::optional<std::set<std::string>>& declared) {
  Environment env;
  for (const auto& [name, value] : base) {
    if (dbt_may_see(name, declared)) env[name] = value;
  }
  env["DBT_TARGET_PATH"] = ws.target_path.string();
  env["DBT_LOG_PATH"] = ws.log_path.string();
  env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False";
  env["DBT_USE_COLORS"] = "False";
  // A pipe makes Python buffer stdout in blocks; events must arrive as they happen.
  env["PYTHONUNBUFFERED"] = "1";
  auto declared_options = env.find("PGOPTIONS");
  env["PGOPTIONS"] = std::string(kDbtSessionOptions) +
                     (declared_options == env.end() ? "" : " " + declared_options->second);
  env.erase("DBT_PROFILES_DIR");
  env.erase("DBT_PROJECT_DIR");
  return env;
}

}  // namespace kubedbt::runner
