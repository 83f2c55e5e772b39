#!/usr/bin/env bash
# Installs everything kubedbt needs on a fresh Debian 12 machine: the C++ toolchain and libraries,
# PostgreSQL, dbt (pinned, in a virtualenv in the cache folder), the pinned tz database and the
# Go-built control plane.
# Safe to run again: each step skips what is already present.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${KUBEDBT_CACHE:-$HOME/.cache/kubedbt}

# Debian 12 (bookworm) packages; the release pins their versions. Keep in step with the Dockerfile.
APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format git openssl ca-certificates tzdata
  libcpprest-dev libboost-system-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev libpqxx-dev
  libcurl4-openssl-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libhowardhinnant-date-dev libcli11-dev
  postgresql postgresql-client util-linux procps iproute2 python3-venv
)
# dbt from PyPI, pinned (DESIGN section 5).
PIP_PACKAGES=(dbt-core==1.11.16 dbt-postgres==1.11.0)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv=$cache/venv
if ! "$venv/bin/dbt" --version 2>/dev/null | grep -q '1.11.16'; then
  echo "install: dbt into $venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
fi

# The pinned tz database the operator and the suites evaluate schedules with (not the machine's).
"$here/pinned-tzdata.sh" dir >/dev/null

"$here/../tests/cluster/build-control-plane.sh"
