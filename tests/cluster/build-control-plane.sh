#!/usr/bin/env bash
# Builds the real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kubectl)
# and helm from Go modules at pinned versions into a cache folder outside the checkout.
# Skips every binary that is already built at the pinned version.
set -euo pipefail

KUBERNETES_VERSION=v1.36.3
ETCD_VERSION=v3.6.8   # the etcd server version k8s.io/kubernetes ${KUBERNETES_VERSION} itself requires
HELM_VERSION=v3.22.0

cache=${KUBEDBT_CACHE:-$HOME/.cache/kubedbt}
bin=$cache/bin
stamp=$cache/versions
mkdir -p "$bin" "$cache/go"
want="kubernetes=$KUBERNETES_VERSION etcd=$ETCD_VERSION helm=$HELM_VERSION"

have_all() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || return 1
  for b in etcd kube-apiserver kube-controller-manager kubectl helm; do [ -x "$bin/$b" ] || return 1; done
}
if have_all; then
  echo "control plane: cached in $bin ($want)"
  exit 0
fi

export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
log() { echo "control plane: $*" >&2; }

# One module holds kube-apiserver, kube-controller-manager, kubectl and etcd, so the
# dependencies they share compile once. k8s.io/kubernetes resolves its staging modules
# through relative replaces; we replace each one with its published version instead.
build_kubernetes() {
  local dir=$cache/go/kubernetes minor=${KUBERNETES_VERSION#v1.}
  local staging_version=v0.$minor
  mkdir -p "$dir/cmd/etcd"
  local gomod
  gomod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module kubedbt.local/controlplane"
    echo
    echo "go 1.26.0"
    echo
    echo "require ("
    echo "	k8s.io/kubernetes $KUBERNETES_VERSION"
    echo "	go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    echo ")"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$gomod" | while read -r m; do
      echo "	$m => $m $staging_version"
    done
    echo ")"
  } >"$dir/go.mod"
  cat >"$dir/cmd/etcd/main.go" <<'GO'
// Command etcd starts the etcd server of the pinned version for the local control plane.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  cat >"$dir/tools.go" <<'GO'
//go:build tools

// Package tools pins the Kubernetes commands this module builds.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$dir" && go mod tidy >/dev/null)
  local ldflags="-s -w"
  for v in gitVersion=$KUBERNETES_VERSION gitMajor=1 gitMinor=${minor%%.*} gitTreeState=clean; do
    ldflags="$ldflags -X k8s.io/component-base/version.$v -X k8s.io/client-go/pkg/version.$v"
  done
  log "building kube-apiserver, kube-controller-manager, kubectl $KUBERNETES_VERSION (slow on a cold cache)"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)
  log "building etcd $ETCD_VERSION"
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" ./cmd/etcd)
}

build_helm() {
  local dir=$cache/go/helm
  mkdir -p "$dir"
  printf 'module kubedbt.local/helm\n\ngo 1.26.0\n\nrequire helm.sh/helm/v3 %s\n' "$HELM_VERSION" >"$dir/go.mod"
  printf '//go:build tools\n\n// Package tools pins the helm command this module builds.\npackage tools\n\nimport _ "helm.sh/helm/v3/cmd/helm"\n' >"$dir/tools.go"
  (cd "$dir" && go mod tidy >/dev/null)
  log "building helm $HELM_VERSION"
  (cd "$dir" && go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" -o "$bin/helm" helm.sh/helm/v3/cmd/helm)
}

rm -f "$stamp"
build_kubernetes
build_helm
echo "$want" >"$stamp"
log "built into $bin"
