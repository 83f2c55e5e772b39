// The libpq connection string of a target, for every session the runner opens on its database.
#pragma once

#include <chrono>
#include <string>

#include "runner/spec/target_spec.h"

namespace kubedbt::runner {

// How long a kubedbt session may wait on its peer or on one statement. Both ends of the socket
// probe an idle connection (keepalives), so a dead runner node releases its session (and its
// advisory lock) on the server within a minute or two, and a dead server is noticed by the runner.
struct SessionLimits {
  // The longest one statement may run (the server's statement_timeout). The default fits the
  // biggest statement kubedbt sends: copying a snapshot table's history into a staging schema.
  std::chrono::milliseconds statement_timeout{std::chrono::minutes(30)};
  std::chrono::seconds keepalive_idle{30};      // idle time before the first probe
  std::chrono::seconds keepalive_interval{10};  // between unanswered probes
  int keepalive_count = 3;                      // unanswered probes before the socket is dead
  // How long sent data may stay unacknowledged before the socket is dead (TCP_USER_TIMEOUT).
  std::chrono::milliseconds tcp_user_timeout{std::chrono::seconds(60)};
};

// libpq connection string for the target; values are quoted, so a password may hold anything.
// The limits are set for the client (libpq's keepalives and tcp_user_timeout) and the server
// (`options`: statement_timeout, tcp_keepalives_*, tcp_user_timeout). Never log its result.
std::string connection_string(const TargetSpec& target, const std::string& password,
                              const std::string& application_name,
                              const SessionLimits& limits = {});

}  // namespace kubedbt::runner
