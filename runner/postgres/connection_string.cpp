// key='value' pairs with every value quoted and escaped as libpq's conninfo syntax requires.
#include "runner/postgres/connection_string.h"

namespace kubedbt::runner {
namespace {

std::string quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace

std::string connection_string(const TargetSpec& t, const std::string& password,
                              const std::string& application_name, const SessionLimits& limits) {
  const auto idle = std::to_string(limits.keepalive_idle.count());
  const auto interval = std::to_string(limits.keepalive_interval.count());
  const auto count = std::to_string(limits.keepalive_count);
  const auto user_timeout = std::to_string(limits.tcp_user_timeout.count());
  // Server-side settings, as if each session ran SET first (every one of them is user-settable).
  const std::string server =
      "-c statement_timeout=" + std::to_string(limits.statement_timeout.count()) +
      " -c tcp_keepalives_idle=" + idle + " -c tcp_keepalives_interval=" + interval +
      " -c tcp_keepalives_count=" + count + " -c tcp_user_timeout=" + user_timeout;
  std::string s = "host=" + quote(t.host) + " port=" + std::to_string(t.port) +
                  " user=" + quote(t.user) + " dbname=" + quote(t.dbname) +
                  " password=" + quote(password) + " connect_timeout=10" +
                  " application_name=" + quote(application_name) + " keepalives=1" +
                  " keepalives_idle=" + idle + " keepalives_interval=" + interval +
                  " keepalives_count=" + count + " tcp_user_timeout=" + user_timeout +
                  " options=" + quote(server);
  if (t.sslmode) s += " sslmode=" + quote(*t.sslmode);
  return s;
}

}  // namespace kubedbt::runner
