#!/usr/bin/env bash
# The one-command demo: a local cluster with the node agent, PostgreSQL with the shop's raw data,
# the operator, and the shop project running a scheduled and a manual dbt run end to end.
# Usage: scripts/demo.sh up|down [--build DIR] [--dir DIR]
#   up    starts (or reuses) everything, runs the schedule once and a manual run, prints results
#   down  stops everything `up` started and removes the demo folder; fails if anything is left
# The demo folder is --dir, else $KUBEDBT_DEMO_DIR, else .demo/ in the repository (PostgreSQL runs
# as the postgres user, which must be able to enter it: not under /root).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${KUBEDBT_CACHE:-$HOME/.cache/kubedbt}
cmd=${1:-}; shift || true
build=$repo/build
dir=${KUBEDBT_DEMO_DIR:-$repo/.demo}
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "demo.sh: unknown argument $1 (use: up|down [--build DIR] [--dir DIR])" >&2; exit 2 ;;
  esac
done
build=$(cd "$build" 2>/dev/null && pwd || echo "$build")
mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")

namespace=analytics          # where the shop project lives (deploy/policy's example namespace)
system_namespace=kubedbt-system
run_timeout_seconds=600

say() { echo "demo: $*"; }
die() { echo "demo: error: $*" >&2; exit 1; }

kubectl() { "$KUBEDBT_KUBECTL" "$@"; }

# --- up ----------------------------------------------------------------------------------------

check_build() {
  for bin in runner/kubedbt-runner operator/kubedbt-operator \
             tests/cluster/node-agent/kubedbt-node-agent; do
    [ -x "$build/$bin" ] || die "$build/$bin is missing; run 'make build' (or 'make demo', which builds first)"
  done
  [ -f "$build/tests/cluster/images.yaml" ] ||
    die "$build/tests/cluster/images.yaml is missing; configure the build with cmake first"
  [ -x "$cache/venv/bin/dbt" ] || die "dbt is missing from $cache/venv; run scripts/install-deps.sh"
}

start_cluster() {
  "$repo/tests/cluster/cluster.sh" --dir "$dir/cluster" up \
    --node-agent "$build/tests/cluster/node-agent/kubedbt-node-agent" \
    --image-map "$build/tests/cluster/images.yaml"
  # shellcheck disable=SC1091
  . "$dir/cluster/env"
}

start_postgres() {
  "$repo/tests/postgres/postgres.sh" up --dir "$dir/postgres"
  set -a
  # shellcheck disable=SC1091
  . "$dir/postgres/env"
  set +a
  if [ "$(psql -tAc "select 1 from pg_database where datname = 'shop'")" != 1 ]; then
    psql -q -c "create database shop"
  fi
  # The raw data is loaded once: models built on it (views) would block dropping it again.
  if [ "$(psql -d shop -tAc "select to_regclass('raw.orders') is not null")" != t ]; then
    say "loading the shop's raw data (examples/shop/load/raw_data.sql)"
    PGOPTIONS="-c client_min_messages=warning" psql -q -d shop -v ON_ERROR_STOP=1 -f "$repo/examples/shop/load/raw_data.sql" >/dev/null
  fi
}

install_kubedbt() {
  kubectl apply --server-side --force-conflicts -f "$repo/crds/" >/dev/null
  kubectl wait --for condition=Established --timeout 60s \
    crd/dbtprojects.kubedbt.io crd/dbtschedules.kubedbt.io crd/dbtruns.kubedbt.io >/dev/null
  for ns in "$system_namespace" "$namespace"; do
    kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  done
  kubectl -n "$system_namespace" apply -f "$repo/deploy/rbac/operator.yaml" >/dev/null
  kubectl -n "$namespace" apply -f "$repo/deploy/rbac/runner.yaml" >/dev/null
  kubectl apply -f "$repo/deploy/policy/protected-targets.yaml" >/dev/null
  say "CRDs, RBAC (deploy/rbac) and the protected-targets policy installed"
}

operator_running() {
  [ -f "$dir/run/operator.pid" ] && kill -0 "$(cat "$dir/run/operator.pid")" 2>/dev/null
}

# The operator runs as a process with the token of its ServiceAccount, so it has exactly the
# RBAC of deploy/rbac/operator.yaml, as in a cluster.
start_operator() {
  mkdir -p "$dir/run" "$dir/logs"
  if operator_running; then
    say "operator already running (pid $(cat "$dir/run/operator.pid"), log $dir/logs/operator.log)"
    return 0
  fi
  local token
  token=$(kubectl -n "$system_namespace" create token kubedbt-operator --duration 720h)
  (
    umask 077
    kubectl config set-cluster demo --server "$KUBEDBT_APISERVER_URL" \
      --certificate-authority "$KUBEDBT_CA_FILE" --embed-certs \
      --kubeconfig "$dir/run/operator.kubeconfig" >/dev/null
    kubectl config set-credentials kubedbt-operator --token "$token" \
      --kubeconfig "$dir/run/operator.kubeconfig" >/dev/null
    kubectl config set-context demo --cluster demo --user kubedbt-operator \
      --namespace "$system_namespace" --kubeconfig "$dir/run/operator.kubeconfig" >/dev/null
    kubectl config use-context demo --kubeconfig "$dir/run/operator.kubeconfig" >/dev/null
  )
  setsid "$build/operator/kubedbt-operator" --kubeconfig "$dir/run/operator.kubeconfig" \
    --leader-elect true --lease-namespace "$system_namespace" --identity "demo-$(hostname)" \
    --bind-address 127.0.0.1 --health-port 0 --tz-dir "$("$repo/scripts/pinned-tzdata.sh" dir)" \
    </dev/null >>"$dir/logs/operator.log" 2>&1 &
  echo $! >"$dir/run/operator.pid"
  local deadline=$((SECONDS + 60))
  until kubectl -n "$system_namespace" get lease kubedbt-operator \
          -o jsonpath='{.spec.holderIdentity}' 2>/dev/null | grep -q "demo-$(hostname)"; do
    operator_running || die "the operator exited; its log: $(tail -n 20 "$dir/logs/operator.log")"
    [ $SECONDS -lt $deadline ] || die "the operator did not take the leader Lease within 60 s; see $dir/logs/operator.log"
    sleep 1
  done
  say "operator running (pid $(cat "$dir/run/operator.pid"), leader, log $dir/logs/operator.log)"
}

# The project's code as a git repository the runner clones (file://), refreshed from
# examples/shop on every `up`.
publish_project() {
  local git=$dir/git/shop
  if [ ! -d "$git/.git" ]; then
    mkdir -p "$git"
    git -C "$git" init --quiet --initial-branch main
  fi
  rm -rf "${git:?}"/*
  cp -r "$repo/examples/shop/." "$git/"
  git -C "$git" add -A
  if ! git -C "$git" diff --cached --quiet 2>/dev/null || ! git -C "$git" rev-parse HEAD >/dev/null 2>&1; then
    git -C "$git" -c user.name=kubedbt-demo -c user.email=demo@kubedbt.invalid \
      commit --quiet -m "shop project from examples/shop"
  fi
  export SHOP_GIT_URL=file://$git
}

# Run pods are local processes of the node agent. They run as uid 65532 unless dbt cannot be
# executed as that user here (a virtualenv under a home folder only root may enter); then the
# demo's project runs its pods as root, which only this local cluster tolerates.
runner_user_patch() {
  if setpriv --reuid 65532 --regid 65532 --clear-groups "$cache/venv/bin/dbt" --version \
       >/dev/null 2>&1; then
    echo ""
  else
    echo '{"spec":{"securityContext":{"runAsUser":0,"runAsGroup":0,"runAsNonRoot":false}}}'
  fi
}

render() { envsubst '${SHOP_GIT_URL} ${PGPORT} ${RUN_NAME}' <"$1"; }

apply_project() {
  local manifests=$repo/examples/manifests/demo
  kubectl -n "$namespace" create secret generic shop-warehouse \
    --from-file=password="$dir/postgres/password" --dry-run=client -o yaml |
    kubectl -n "$namespace" apply -f - >/dev/null
  render "$manifests/10-dbtproject.yaml" | kubectl -n "$namespace" apply -f - >/dev/null
  local patch
  patch=$(runner_user_patch)
  if [ -n "$patch" ]; then
    say "dbt in $cache/venv is not executable by uid 65532 here: run pods run as root (local cluster only)"
    kubectl -n "$namespace" patch dbtproject shop --type merge -p "$patch" >/dev/null
  fi
  kubectl -n "$namespace" wait --for condition=Ready --timeout 60s dbtproject/shop >/dev/null ||
    die "DbtProject shop is not Ready: $(kubectl -n "$namespace" get dbtproject shop -o jsonpath='{.status.conditions}')"
  render "$manifests/20-dbtschedule-nightly.yaml" | kubectl -n "$namespace" apply -f - >/dev/null
  local deadline=$((SECONDS + 60))
  until kubectl -n "$namespace" get cronjob shop-nightly >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "the operator made no CronJob for DbtSchedule shop-nightly; see $dir/logs/operator.log"
    sleep 1
  done
  say "project shop (git $SHOP_GIT_URL, PostgreSQL 127.0.0.1:$PGPORT) and schedule shop-nightly applied"
}

# Starts the schedule's CronJob now, and a manual DbtRun; prints the two run names.
start_runs() {
  local stamp
  stamp=$(date +%Y%m%d-%H%M%S)
  local job=shop-nightly-now-$stamp
  kubectl -n "$namespace" create job "$job" --from cronjob/shop-nightly >/dev/null
  export RUN_NAME=shop-dev-$stamp
  render "$repo/examples/manifests/demo/30-dbtrun-dev.yaml" | kubectl -n "$namespace" create -f - >/dev/null
  say "started Job $job from CronJob shop-nightly and DbtRun $RUN_NAME"
  echo "$job $RUN_NAME" >"$dir/run/last-runs"
}

# Waits until each DbtRun has a final phase; fails when one is not Succeeded.
wait_for_runs() {
  local failed=0 deadline=$((SECONDS + run_timeout_seconds))
  for run in "$@"; do
    local phase=""
    while :; do
      phase=$(kubectl -n "$namespace" get dbtrun "$run" -o jsonpath='{.status.phase}' 2>/dev/null || true)
      case $phase in Succeeded | Failed | TimedOut | Cancelled) break ;; esac
      [ $SECONDS -lt $deadline ] || { phase="still ${phase:-Pending} after ${run_timeout_seconds} s"; break; }
      sleep 2
    done
    say "DbtRun $run: $phase"
    [ "$phase" = Succeeded ] || failed=1
  done
  return $failed
}

print_results() {
  echo
  echo "\$ kubectl -n $namespace get dbtschedules,dbtruns"
  kubectl -n "$namespace" get dbtschedules,dbtruns
  local job
  read -r job _ <"$dir/run/last-runs"
  echo
  kubectl -n "$namespace" get dbtrun "$job" -o go-template='Blue-green deployment of {{.metadata.name}}:
{{with .status.deployment}}  swapped into production: {{.swapped}}; production schemas: {{.schemas}}; backups kept: {{.previous}}
{{else}}  none recorded
{{end}}'
  echo
  echo "Where the data landed (PostgreSQL 127.0.0.1:$PGPORT, database shop):"
  psql -d shop -P footer=off -c "
    select table_schema as schema, table_name as relation, lower(table_type) as kind,
           (xpath('/row/n/text()',
                  query_to_xml(format('select count(*) as n from %I.%I', table_schema, table_name),
                               false, true, '')))[1]::text::bigint as rows
      from information_schema.tables
     where table_schema not in ('pg_catalog', 'information_schema', 'raw')
       and table_schema not like 'kubedbt%'
     order by 1, 2"
  echo
  echo "Look closer:  . $dir/cluster/env; \$KUBEDBT_KUBECTL -n $namespace describe dbtrun <name>"
  echo "Run pod logs: $dir/cluster/node/logs/    operator log: $dir/logs/operator.log"
  echo "Stop it all:  make demo-down"
}

up() {
  check_build
  mkdir -p "$dir/run" "$dir/logs"
  start_cluster
  start_postgres
  install_kubedbt
  start_operator
  publish_project
  apply_project
  start_runs
  local runs
  read -r -a runs <"$dir/run/last-runs"
  local status=0
  wait_for_runs "${runs[@]}" || status=1
  print_results
  [ $status = 0 ] || die "a demo run did not succeed; kubectl -n $namespace describe dbtrun ${runs[*]}"
}

# --- down --------------------------------------------------------------------------------------

stop_operator() {
  [ -f "$dir/run/operator.pid" ] || return 0
  local pid
  pid=$(cat "$dir/run/operator.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  say "operator stopped"
}

down() {
  if [ ! -d "$dir" ]; then
    say "nothing to stop ($dir does not exist)"
    return 0
  fi
  stop_operator
  local failed=0
  if [ -d "$dir/cluster" ]; then
    "$repo/tests/cluster/cluster.sh" --dir "$dir/cluster" down || failed=1
  fi
  if [ -d "$dir/postgres" ]; then
    "$repo/tests/postgres/postgres.sh" down --dir "$dir/postgres" || failed=1
  fi
  local left
  left=$(pgrep -af -- "$dir/" || true)
  if [ -f "$dir/run/operator.pid" ] && kill -0 "$(cat "$dir/run/operator.pid")" 2>/dev/null; then
    left+=$'\n'"operator pid $(cat "$dir/run/operator.pid")"
  fi
  if [ $failed != 0 ] || [ -n "$left" ]; then
    echo "demo: error: processes of the demo are still running; $dir is kept for reading:" >&2
    [ -z "$left" ] || echo "$left" >&2
    exit 1
  fi
  rm -rf "$dir"
  say "stopped everything and removed $dir"
}

case $cmd in
  up) up ;;
  down) down ;;
  *) echo "usage: scripts/demo.sh up|down [--build DIR] [--dir DIR]" >&2; exit 2 ;;
esac
