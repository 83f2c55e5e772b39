#!/usr/bin/env bash
# Starts, inspects and stops the local Kubernetes control plane (etcd, kube-apiserver,
# kube-controller-manager, optionally the kubedbt node agent) in one state folder.
#
#   cluster.sh [--dir DIR] up [--node-agent BIN [--image-map FILE]] [--fresh]
#   cluster.sh [--dir DIR] down | status | restart-apiserver | compact | mint-user NAME [GROUP...]
#
# DIR defaults to $KUBEDBT_CLUSTER_DIR. Binaries come from $KUBEDBT_CACHE/bin (default
# ~/.cache/kubedbt/bin), built by build-control-plane.sh. See README.md next to this script.
set -euo pipefail

readonly SCRIPTS_DIR=$(cd "$(dirname "$0")/../../scripts" && pwd)

readonly NODE_NAME=kubedbt-node
readonly SERVICE_CIDR=10.254.0.0/24  # never routed: the node agent runs pods on the host network
readonly SERVICE_ACCOUNT_ISSUER=https://kubernetes.default.svc.cluster.local
readonly STOP_GRACE_SECONDS=10
readonly READY_TIMEOUT_SECONDS=90
readonly COMPONENTS=(etcd kube-apiserver kube-controller-manager node-agent)

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}
say() { echo "cluster.sh: $*" >&2; }

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Arguments

dir=${KUBEDBT_CLUSTER_DIR:-}
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --dir) [ $# -ge 2 ] || usage; dir=$2; shift 2 ;;
    --dir=*) dir=${1#--dir=}; shift ;;
    -h | --help) usage ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"
[ $# -ge 1 ] || usage
command=$1
shift
[ -n "$dir" ] || die "no state folder: pass --dir DIR or set KUBEDBT_CLUSTER_DIR"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
case $dir in *"'"* | *$'\n'*) die "state folder $dir: quotes and newlines are not supported" ;; esac

cache=${KUBEDBT_CACHE:-$HOME/.cache/kubedbt}
bin=$cache/bin
pki=$dir/pki
logs=$dir/logs
run=$dir/run  # per component: NAME.pid, NAME.args (the command line, one argument per line)
ports_file=$run/ports

# One cluster.sh at a time per state folder (ctest may run mint-user from parallel tests).
exec 9>"$dir/.lock"
flock 9

# ---------------------------------------------------------------------------------------------
# Processes

pid_of() {
  local f=$run/$1.pid
  [ -f "$f" ] && cat "$f"
}

is_running() {
  local pid
  pid=$(pid_of "$1") || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid must still be our process, not a recycled one: its command line names our folder.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/"
}

# Starts component NAME from run/NAME.args in a process group of its own, logs in logs/NAME.log.
start_component() {
  local name=$1 argv=()
  mapfile -t argv <"$run/$name.args"
  mkdir -p "$logs"
  echo "---- $(date -u +%FT%TZ) start" >>"$logs/$name.log"
  # setsid: new session and process group, so down can signal the component and its children.
  # 9>&-: the component must not hold this script's lock.
  setsid "${argv[@]}" </dev/null >>"$logs/$name.log" 2>&1 9>&- &
  echo $! >"$run/$name.pid"
}

# stop_components NAME...: SIGTERM to each component's process group, SIGKILL to those still
# alive after the grace period; returns when all are gone.
stop_components() {
  local name pid pids=() deadline=$((SECONDS + STOP_GRACE_SECONDS))
  for name in "$@"; do
    # is_running: a stale pid file (after a reboot) must not make us signal a stranger.
    if is_running "$name"; then
      pid=$(pid_of "$name")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]+"${pids[@]}"}"; do
    while kill -0 -- "-$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if kill -0 -- "-$pid" 2>/dev/null; then
      say "process group $pid ignored SIGTERM for ${STOP_GRACE_SECONDS}s: SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done
  deadline=$((SECONDS + STOP_GRACE_SECONDS))
  for pid in "${pids[@]+"${pids[@]}"}"; do
    while kill -0 -- "-$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  done
  for name in "$@"; do
    if [ -f "$run/$name.pid" ]; then
      rm -f "$run/$name.pid"
      echo "stopped $name"
    fi
  done
}

# Pids of processes that belong to this cluster: their command line names the state folder, or
# they work inside the node agent's folder (pods it started). Never this script or its parents.
leftover_pids() {
  (
    cd /
    {
      # The pattern comes from a file so that grep's own command line does not match it.
      grep -lsaFf <(printf '%s/\n' "$dir") /proc/[0-9]*/cmdline || true
      find /proc/[0-9]*/cwd -maxdepth 0 \( -lname "$dir/node" -o -lname "$dir/node/*" \) 2>/dev/null || true
    } | cut -d/ -f3 | sort -u | without_this_script
  )
}

# Filters pids on stdin: drops this script, its parent and other cluster.sh runs (whose command
# line may name the state folder too).
without_this_script() {
  local p argv
  while read -r p; do
    [ "$p" != $$ ] && [ "$p" != "$PPID" ] || continue
    mapfile -d '' argv 2>/dev/null <"/proc/$p/cmdline" || continue
    [ ${#argv[@]} -gt 0 ] || continue
    case " ${argv[*]} " in *"cluster.sh "*) continue ;; esac
    echo "$p"
  done
  return 0
}

# ---------------------------------------------------------------------------------------------
# Ports

# Picks a free loopback TCP port below the ephemeral range: binds it for real, then releases it.
free_port() {
  python3 - "$@" <<'PY'
import random, socket, sys
taken = {int(p) for p in sys.argv[1:]}
for _ in range(200):
    port = random.randrange(20000, 32000)
    if port in taken:
        continue
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    sys.exit(0)
sys.exit("no free loopback port found")
PY
}

pick_ports() {
  etcd_client_port=$(free_port)
  etcd_peer_port=$(free_port "$etcd_client_port")
  apiserver_port=$(free_port "$etcd_client_port" "$etcd_peer_port")
  kcm_port=$(free_port "$etcd_client_port" "$etcd_peer_port" "$apiserver_port")
  mkdir -p "$run"
  cat >"$ports_file" <<EOF
etcd_client_port=$etcd_client_port
etcd_peer_port=$etcd_peer_port
apiserver_port=$apiserver_port
kcm_port=$kcm_port
EOF
}

load_ports() {
  [ -f "$ports_file" ] || die "$dir has no cluster (run: cluster.sh --dir $dir up)"
  # shellcheck disable=SC1090
  . "$ports_file"
}

# ---------------------------------------------------------------------------------------------
# Certificates

# new_ca NAME SUBJECT: a self-signed EC certificate authority in the pki folder.
new_ca() {
  local name=$1 subject=$2
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/$name.key" 2>/dev/null
  chmod 600 "$pki/$name.key"
  openssl req -x509 -new -key "$pki/$name.key" -subj "$subject" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$pki/$name.crt" 2>/dev/null
}

# new_cert OUT_DIR NAME SUBJECT [SAN] [CA]: an EC key and a certificate signed by CA (default: the
# cluster CA); a SAN makes it a serving certificate too.
new_cert() {
  local out_dir=$1 name=$2 subject=$3 san=${4:-} ca=${5:-ca} ext
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$san"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$ext"
  openssl ecparam -name prime256v1 -genkey -noout -out "$out_dir/$name.key.tmp" 2>/dev/null
  openssl req -new -key "$out_dir/$name.key.tmp" -subj "$subject" -out "$out_dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$out_dir/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$ext" -out "$out_dir/$name.crt.tmp" 2>/dev/null
  rm -f "$ext" "$out_dir/$name.csr"
  chmod 600 "$out_dir/$name.key.tmp"
  mv "$out_dir/$name.key.tmp" "$out_dir/$name.key"
  mv "$out_dir/$name.crt.tmp" "$out_dir/$name.crt"
}

# Generates what is missing: the cluster CA, the apiserver serving cert, admin and
# controller-manager client certs, the front-proxy CA and client (aggregation layer, which
# kube-controller-manager's authentication reads), the service-account signing key pair.
ensure_pki() {
  mkdir -p "$pki"
  chmod 700 "$pki"
  if [ ! -f "$pki/ca.crt" ]; then
    new_ca ca "/CN=kubedbt-local-ca"
    rm -f "$pki/apiserver.crt" "$pki/admin.crt" "$pki/kube-controller-manager.crt"
  fi
  [ -f "$pki/apiserver.crt" ] || new_cert "$pki" apiserver "/CN=kube-apiserver" \
    "IP:127.0.0.1,IP:${SERVICE_CIDR%.0/*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  [ -f "$pki/admin.crt" ] || new_cert "$pki" admin "/O=system:masters/CN=kubedbt-admin"
  [ -f "$pki/kube-controller-manager.crt" ] ||
    new_cert "$pki" kube-controller-manager "/CN=system:kube-controller-manager"
  if [ ! -f "$pki/front-proxy-ca.crt" ]; then
    new_ca front-proxy-ca "/CN=kubedbt-local-front-proxy-ca"
    rm -f "$pki/front-proxy-client.crt"
  fi
  [ -f "$pki/front-proxy-client.crt" ] ||
    new_cert "$pki" front-proxy-client "/CN=front-proxy-client" "" front-proxy-ca
  if [ ! -f "$pki/service-account.pub" ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/service-account.key" 2>/dev/null
    chmod 600 "$pki/service-account.key"
    openssl pkey -in "$pki/service-account.key" -pubout -out "$pki/service-account.pub"
  fi
}

# write_kubeconfig FILE USER CERT KEY: a kubeconfig with the certificates inline.
write_kubeconfig() {
  local file=$1 user=$2 cert=$3 key=$4
  umask 077
  cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubedbt-local
  cluster:
    server: https://127.0.0.1:$apiserver_port
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$cert")
    client-key-data: $(base64 -w0 <"$key")
contexts:
- name: $user@kubedbt-local
  context:
    cluster: kubedbt-local
    user: $user
    namespace: default
current-context: $user@kubedbt-local
EOF
  mv "$file.tmp" "$file"
  umask 022
}

# ---------------------------------------------------------------------------------------------
# Component command lines

write_args() {
  local name=$1
  shift
  printf '%s\n' "$@" >"$run/$name.args"
}

write_component_args() {
  write_args etcd "$bin/etcd" \
    --name=kubedbt \
    --data-dir="$dir/etcd" \
    --listen-client-urls="http://127.0.0.1:$etcd_client_port" \
    --advertise-client-urls="http://127.0.0.1:$etcd_client_port" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster="kubedbt=http://127.0.0.1:$etcd_peer_port" \
    --log-level=warn

  write_args kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_client_port" \
    --bind-address=127.0.0.1 \
    --advertise-address=127.0.0.1 \
    --secure-port="$apiserver_port" \
    --tls-cert-file="$pki/apiserver.crt" \
    --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --requestheader-client-ca-file="$pki/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" \
    --proxy-client-key-file="$pki/front-proxy-client.key" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=OwnerReferencesPermissionEnforcement \
    --anonymous-auth=false \
    --service-account-issuer="$SERVICE_ACCOUNT_ISSUER" \
    --service-account-key-file="$pki/service-account.pub" \
    --service-account-signing-key-file="$pki/service-account.key" \
    --api-audiences="$SERVICE_ACCOUNT_ISSUER" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --endpoint-reconciler-type=none \
    --allow-privileged=true \
    --shutdown-watch-termination-grace-period=2s \
    --profiling=false

  write_kubeconfig "$pki/kube-controller-manager.kubeconfig" system:kube-controller-manager \
    "$pki/kube-controller-manager.crt" "$pki/kube-controller-manager.key"
  # node-lifecycle and taint-eviction are off: they would taint the agent's Node and evict its
  # pods whenever its heartbeat lags, which is a kubelet concern the node agent does not copy.
  # The CronJob controller reads the same pinned tz database as the operator (Go reads ZONEINFO).
  write_args kube-controller-manager env "ZONEINFO=$("$SCRIPTS_DIR/pinned-tzdata.sh" path)" \
    "$bin/kube-controller-manager" \
    --kubeconfig="$pki/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$pki/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$pki/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$kcm_port" \
    --leader-elect=false \
    --kube-api-qps=100 \
    --kube-api-burst=200 \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$pki/service-account.key" \
    --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" \
    --cluster-signing-key-file="$pki/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --controllers='*,-node-lifecycle-controller,-taint-eviction-controller' \
    --profiling=false
}

# The node agent's command line contract: kubeconfig, node name, state folder.
# write_node_agent_args BIN [IMAGE_MAP]
write_node_agent_args() {
  local image_map=()
  [ -z "${2:-}" ] || image_map=(--image-map "$2")
  write_args node-agent "$1" \
    --kubeconfig "$dir/admin.kubeconfig" \
    --node-name "$NODE_NAME" \
    --state-dir "$dir/node" \
    "${image_map[@]}"
}

write_env() {
  umask 022
  cat >"$dir/env.tmp" <<EOF
# The local cluster in $dir (written by cluster.sh up): source it in a shell.
export KUBEDBT_CLUSTER_DIR='$dir'
export KUBECONFIG='$dir/admin.kubeconfig'
export KUBEDBT_APISERVER_URL='https://127.0.0.1:$apiserver_port'
export KUBEDBT_ETCD_URL='http://127.0.0.1:$etcd_client_port'
export KUBEDBT_CA_FILE='$pki/ca.crt'
export KUBEDBT_KUBECTL='$bin/kubectl'
export KUBEDBT_HELM='$bin/helm'
export KUBEDBT_SERVICE_ACCOUNT_ISSUER='$SERVICE_ACCOUNT_ISSUER'
export KUBEDBT_NODE_NAME='$( [ -f "$run/node-agent.args" ] && echo "$NODE_NAME")'
EOF
  mv "$dir/env.tmp" "$dir/env"
}

# ---------------------------------------------------------------------------------------------
# Readiness

kubectl_admin() { "$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" "$@"; }

# wait_for WHAT COMPONENT CMD...: polls CMD until it succeeds; fails with the log's tail when
# COMPONENT died or the time ran out.
wait_for() {
  local what=$1 component=$2
  shift 2
  local deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if ! is_running "$component"; then
      tail -n 30 "$logs/$component.log" >&2 || true
      die "$component exited while waiting for $what (log: $logs/$component.log)"
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 "$logs/$component.log" >&2 || true
      die "timed out after ${READY_TIMEOUT_SECONDS}s waiting for $what (log: $logs/$component.log)"
    fi
    sleep 0.2
  done
}

etcd_healthy() { curl -fsS "http://127.0.0.1:$etcd_client_port/health" | grep -q '"health":"true"'; }

apiserver_ready() {
  curl -fsS --max-time 5 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$apiserver_port/readyz" | grep -qx ok
}

# node_ready_since TIME: the Node is Ready with a heartbeat at or after TIME (UTC, RFC 3339), so a
# Node left in etcd by an earlier agent does not count.
node_ready_since() {
  local ready
  ready=$(kubectl_admin get node "$NODE_NAME" --output \
    'jsonpath={range .status.conditions[?(@.type=="Ready")]}{.status} {.lastHeartbeatTime}{end}') || return 1
  [ "${ready%% *}" = True ] && [[ ! "${ready#* }" < "$1" ]]
}

start_node_agent() {
  local since
  since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  mkdir -p "$dir/node"
  start_component node-agent
  wait_for "Node $NODE_NAME to be Ready" node-agent node_ready_since "$since"
}

start_and_wait_apiserver() {
  start_component kube-apiserver
  wait_for "kube-apiserver /readyz" kube-apiserver apiserver_ready
}

# ---------------------------------------------------------------------------------------------
# Subcommands

cmd_up() {
  local node_agent="" image_map="" fresh=0
  while [ $# -gt 0 ]; do
    case $1 in
      --node-agent) [ $# -ge 2 ] || usage; node_agent=$2; shift 2 ;;
      --node-agent=*) node_agent=${1#--node-agent=}; shift ;;
      --image-map) [ $# -ge 2 ] || usage; image_map=$2; shift 2 ;;
      --image-map=*) image_map=${1#--image-map=}; shift ;;
      --fresh) fresh=1; shift ;;
      *) die "up: unknown argument $1" ;;
    esac
  done
  if [ -n "$node_agent" ]; then
    [ -x "$node_agent" ] || die "node agent $node_agent is not an executable"
    node_agent=$(cd "$(dirname "$node_agent")" && pwd -P)/$(basename "$node_agent")
  fi
  if [ -n "$image_map" ]; then
    [ -n "$node_agent" ] || die "--image-map needs --node-agent"
    [ -f "$image_map" ] || die "image map $image_map does not exist"
    image_map=$(cd "$(dirname "$image_map")" && pwd -P)/$(basename "$image_map")
  fi
  local b
  for b in etcd kube-apiserver kube-controller-manager kubectl; do
    [ -x "$bin/$b" ] || die "$bin/$b is missing: run tests/cluster/build-control-plane.sh"
  done

  if is_running etcd && is_running kube-apiserver && is_running kube-controller-manager; then
    load_ports
    [ -z "$node_agent" ] || write_node_agent_args "$node_agent" "$image_map"
    if [ -f "$run/node-agent.args" ] && ! is_running node-agent; then
      start_node_agent
      write_env
      say "control plane already running in $dir; node agent started"
    else
      say "already running in $dir (apiserver https://127.0.0.1:$apiserver_port)"
    fi
    return 0
  fi
  # Whatever is left of a half-started or crashed cluster goes first.
  stop_all >/dev/null
  rm -f "$dir/env"
  # A failed up leaves no process behind (the logs stay).
  trap 'if [ $? -ne 0 ]; then say "up failed: stopping what it started"; stop_all >/dev/null 2>&1; fi' EXIT

  if [ $fresh = 1 ]; then rm -rf "$dir/etcd" "$dir/node" "$dir/users"; fi
  ensure_pki
  pick_ports
  write_kubeconfig "$dir/admin.kubeconfig" kubedbt-admin "$pki/admin.crt" "$pki/admin.key"
  write_component_args
  rm -f "$run/node-agent.args"
  [ -z "$node_agent" ] || write_node_agent_args "$node_agent" "$image_map"

  start_component etcd
  wait_for "etcd /health" etcd etcd_healthy
  start_and_wait_apiserver
  start_component kube-controller-manager
  wait_for "the default ServiceAccount" kube-controller-manager \
    kubectl_admin get serviceaccount default --namespace default
  wait_for "the kube-root-ca.crt ConfigMap" kube-controller-manager \
    kubectl_admin get configmap kube-root-ca.crt --namespace default
  [ ! -f "$run/node-agent.args" ] || start_node_agent
  trap - EXIT
  write_env
  echo "cluster up: apiserver https://127.0.0.1:$apiserver_port, etcd http://127.0.0.1:$etcd_client_port;" \
    "source $dir/env (KUBECONFIG=$dir/admin.kubeconfig), logs in $logs"
}

# Stops every component in reverse start order, then whatever else still runs from the folder.
stop_all() {
  local pid
  # The node agent first, while the API is there to hear about its pods; etcd last.
  stop_components node-agent
  stop_components kube-controller-manager kube-apiserver
  stop_components etcd
  for pid in $(leftover_pids); do
    say "stopping leftover process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    kill -TERM "$pid" 2>/dev/null || true
  done
  local deadline=$((SECONDS + STOP_GRACE_SECONDS))
  while [ -n "$(leftover_pids)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  for pid in $(leftover_pids); do kill -KILL "$pid" 2>/dev/null || true; done
}

cmd_down() {
  [ $# -eq 0 ] || die "down takes no arguments"
  stop_all >&2
  sleep 0.1
  local left
  left=$(leftover_pids)
  if [ -n "$left" ]; then
    ps -o pid,pgid,args -p "$(echo $left | tr ' ' ',')" >&2 || true
    die "processes of $dir are still running after down: $left"
  fi
  # A second, independent look: pgrep over every command line for the state folder.
  local pattern
  pattern=$(printf '%s/' "$dir" | sed 's/[][\.*^$+?(){}|]/\\&/g')
  left=$({ pgrep -f -- "$pattern" || true; } | without_this_script)
  if [ -n "$left" ]; then
    ps -o pid,pgid,args -p "$(echo $left | tr ' ' ',')" >&2 || true
    die "pgrep still finds processes of $dir after down: $left"
  fi
  echo "cluster down: no process of $dir is running"
}

cmd_status() {
  [ $# -eq 0 ] || die "status takes no arguments"
  local name all=0
  for name in "${COMPONENTS[@]}"; do
    [ "$name" != node-agent ] || [ -f "$run/node-agent.args" ] || continue
    if is_running "$name"; then
      echo "$name: running (pid $(pid_of "$name"))"
    else
      echo "$name: stopped"
      all=1
    fi
  done
  if [ -f "$ports_file" ]; then
    load_ports
    echo "apiserver: https://127.0.0.1:$apiserver_port  etcd: http://127.0.0.1:$etcd_client_port  kubeconfig: $dir/admin.kubeconfig"
  fi
  return $all
}

cmd_restart_apiserver() {
  [ $# -eq 0 ] || die "restart-apiserver takes no arguments"
  load_ports
  [ -f "$run/kube-apiserver.args" ] || die "$dir has no kube-apiserver (run up first)"
  stop_components kube-apiserver >/dev/null
  start_and_wait_apiserver
  # kube-controller-manager's own watches back off for up to 90 s after losing the API server;
  # restarting it too gives callers a cluster whose controllers work again within seconds.
  stop_components kube-controller-manager >/dev/null
  start_component kube-controller-manager
  local probe=kubedbt-restart-probe-$RANDOM
  kubectl_admin create namespace "$probe" >/dev/null
  wait_for "controllers after the restart (ServiceAccount in namespace $probe)" kube-controller-manager \
    kubectl_admin get serviceaccount default --namespace "$probe"
  kubectl_admin delete namespace "$probe" --wait=false >/dev/null
  echo "kube-apiserver restarted on https://127.0.0.1:$apiserver_port (kube-controller-manager restarted with it)"
}

cmd_compact() {
  [ $# -eq 0 ] || die "compact takes no arguments"
  load_ports
  local url=http://127.0.0.1:$etcd_client_port revision
  # Any range answer carries the store's current revision in its header.
  revision=$(curl -fsS -X POST "$url/v3/kv/range" -d '{"key":"AA==","limit":1}' |
    sed -n 's/.*"revision":"\([0-9]*\)".*/\1/p')
  [ -n "$revision" ] || die "could not read the current revision from etcd at $url"
  local answer
  answer=$(curl -sS -X POST "$url/v3/kv/compaction" -d "{\"revision\":\"$revision\",\"physical\":true}")
  case $answer in
    *'"error"'*compacted* | *'"message"'*compacted*) ;;  # nothing was written since the last compaction
    *'"error"'* | *'"message"'*) die "etcd refused to compact to revision $revision: $answer" ;;
  esac
  echo "etcd compacted to revision $revision"
}

cmd_mint_user() {
  [ $# -ge 1 ] || die "mint-user NAME [GROUP...]"
  local name=$1 subject="" group
  shift
  [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9:._@-]*$ ]] || die "user name '$name': use letters, digits and :._@-"
  for group in "$@"; do
    [[ $group =~ ^[A-Za-z0-9][A-Za-z0-9:._@-]*$ ]] || die "group '$group': use letters, digits and :._@-"
    subject="$subject/O=$group"
  done
  load_ports
  [ -f "$pki/ca.key" ] || die "$dir has no certificate authority (run up first)"
  local users=$dir/users
  mkdir -p "$users"
  chmod 700 "$users"
  new_cert "$users" "$name" "$subject/CN=$name"
  write_kubeconfig "$users/$name.kubeconfig" "$name" "$users/$name.crt" "$users/$name.key"
  echo "$users/$name.kubeconfig"
}

case $command in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status "$@" ;;
  restart-apiserver) cmd_restart_apiserver "$@" ;;
  compact) cmd_compact "$@" ;;
  mint-user) cmd_mint_user "$@" ;;
  *) usage ;;
esac
