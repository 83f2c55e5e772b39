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
                              const std::string& application_name) {
  std::string s = "host=" + quote(t.host) + " port=" + std::to_string(t.port) +
                  " user=" + quote(t.user) + " dbname=" + quote(t.dbname) +
                  " password=" + quote(password) + " connect_timeout=10" +
                  " application_name=" + quote(application_name);
  if (t.sslmode) s += " sslmode=" + quote(*t.sslmode);
  return s;
}

}  // namespace kubedbt::runner
