#!/usr/bin/env bash
# A private PostgreSQL server on loopback for tests and the demo: its own data folder, a free port,
# a password-authenticated superuser. Usage: postgres.sh up|down|status [--dir DIR]
set -euo pipefail

cmd=${1:-}; shift || true
dir=${KUBEDBT_POSTGRES_DIR:-/tmp/kubedbt-postgres}
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    *) echo "postgres.sh: unknown argument $1 (use: up|down|status [--dir DIR])" >&2; exit 2 ;;
  esac
done

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pgbin/postgres" ] || { echo "postgres.sh: PostgreSQL server binaries not found under /usr/lib/postgresql; run scripts/install-deps.sh" >&2; exit 1; }
data=$dir/data
# The server refuses to run as root: it runs as the postgres system user from the Debian package.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

running() { [ -f "$data/postmaster.pid" ] && as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

up() {
  if running; then
    echo "postgres: already running ($(grep PGPORT "$dir/env"))"
    return 0
  fi
  mkdir -p "$dir"
  if [ ! -f "$data/PG_VERSION" ]; then
    local password
    password=$(openssl rand -hex 16)
    printf '%s' "$password" >"$dir/password"
    chmod 600 "$dir/password"
    install -d -o postgres -m 700 "$data"
    chown postgres "$dir/password"
    as_pg "$pgbin/initdb" -D "$data" -U kubedbt --auth=scram-sha-256 --pwfile="$dir/password" \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    chown root "$dir/password" 2>/dev/null || true
    echo "PGPORT=$(free_port)" >"$dir/port"
  fi
  local port
  port=$(sed -n 's/PGPORT=//p' "$dir/port")
  install -d -o postgres "$dir/socket" "$dir/log"
  as_pg "$pgbin/pg_ctl" -D "$data" -l "$dir/log/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c max_connections=200 -c fsync=off" start >/dev/null
  cat >"$dir/env" <<ENV
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=kubedbt
PGDATABASE=postgres
PGPASSFILE=$dir/pgpass
ENV
  printf '127.0.0.1:%s:*:kubedbt:%s\n' "$port" "$(cat "$dir/password")" >"$dir/pgpass"
  chmod 600 "$dir/pgpass"
  echo "postgres: up on 127.0.0.1:$port (env in $dir/env, password in $dir/password, log in $dir/log)"
}

down() {
  if running; then as_pg "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
  echo "postgres: stopped"
}

case $cmd in
  up) up ;;
  down) down ;;
  status) if running; then echo "postgres: running"; else echo "postgres: stopped"; exit 1; fi ;;
  *) echo "usage: postgres.sh up|down|status [--dir DIR]" >&2; exit 2 ;;
esac
