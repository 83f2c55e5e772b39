// The environment dbt runs with: an allow-list, so the runner's own secrets (git credentials,
// notification URLs, SMTP passwords, HMAC keys) never reach code a pull request controls.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "runner/os/subprocess.h"
#include "runner/os/workspace.h"

namespace kubedbt::runner {

// Whether dbt may see variable `name`: locale, paths, TLS and proxy settings, Python's own, every
// DBT_* (dbt's settings and the DBT_ENV_SECRET_* values of its profile), and `declared` (the
// variables the DbtProject gives the run for dbt: spec.env and the target's env). With no
// declaration (local mode, or a run spec from an older operator) every variable counts as
// declared. KUBEDBT_* variables, the runner's own, never pass.
bool dbt_may_see(const std::string& name, const std::optional<std::set<std::string>>& declared);

// The variables of `base` dbt may see, plus what dbt needs here: target and log paths inside the
// workspace, no anonymous usage statistics, no colours, unbuffered output (live progress), and
// server-side keepalives for its PostgreSQL sessions (PGOPTIONS, before any declared one).
Environment dbt_environment(const Environment& base, const Workspace& ws,
                            const std::optional<std::set<std::string>>& declared);

}  // namespace kubedbt::runner
