#!/usr/bin/env bash
# Regenerates the checked-in files derived from others: docs/reference.md (from crds/), and the
# chart's copies of crds/ and deploy/ (charts/kubedbt/crds/, charts/kubedbt/files/).
# With --check it changes nothing and fails, naming each stale file, when any is out of date.
#   scripts/generate.sh [--check] [--reference-tool PATH]
# The tool defaults to build/tools/crd-reference/kubedbt-crd-reference (`ninja -C build
# kubedbt-crd-reference`); `ninja -C <build> generate` runs this script with its own build's tool.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
check=false
tool=$root/build/tools/crd-reference/kubedbt-crd-reference
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=true ;;
    --reference-tool) tool=$2; shift ;;
    *) echo "generate.sh: unknown argument $1 (usage: generate.sh [--check] [--reference-tool PATH])" >&2; exit 2 ;;
  esac
  shift
done
if [ ! -x "$tool" ]; then
  echo "generate.sh: $tool is not built; run: ninja -C build kubedbt-crd-reference" >&2
  exit 2
fi

# source -> copy, relative to the repository root. The chart's templates read the RBAC rules and
# the admission policy from files/, so the chart grants exactly what deploy/ grants.
crds=(kubedbt.io_dbtprojects.yaml kubedbt.io_dbtschedules.yaml kubedbt.io_dbtruns.yaml)
copies=()
for f in "${crds[@]}"; do copies+=("crds/$f" "charts/kubedbt/crds/$f"); done
copies+=(deploy/rbac/operator.yaml charts/kubedbt/files/rbac/operator.yaml
         deploy/rbac/runner.yaml charts/kubedbt/files/rbac/runner.yaml
         deploy/policy/protected-targets.yaml charts/kubedbt/files/policy/protected-targets.yaml)

stale=()
for ((i = 0; i < ${#copies[@]}; i += 2)); do
  src=$root/${copies[i]} dst=$root/${copies[i + 1]}
  if $check; then
    cmp -s "$src" "$dst" || stale+=("${copies[i + 1]} (differs from ${copies[i]})")
  else
    mkdir -p "$(dirname "$dst")"
    cp "$src" "$dst"
  fi
done
# Any other file in the chart's crds/ would be installed too: only copies of crds/ belong there.
for f in "$root"/charts/kubedbt/crds/*; do
  [ -e "$f" ] || continue
  name=$(basename "$f")
  if [ ! -e "$root/crds/$name" ]; then
    if $check; then stale+=("charts/kubedbt/crds/$name (not in crds/)"); else rm "$f"; fi
  fi
done

crd_paths=()
for f in "${crds[@]}"; do crd_paths+=("$root/crds/$f"); done
if $check; then
  "$tool" "${crd_paths[@]}" --check "$root/docs/reference.md" >&2 || stale+=(docs/reference.md)
else
  mkdir -p "$root/docs"
  "$tool" "${crd_paths[@]}" -o "$root/docs/reference.md"
fi

if [ ${#stale[@]} -gt 0 ]; then
  printf 'stale generated file: %s\n' "${stale[@]}" >&2
  echo "regenerate with: scripts/generate.sh (or: ninja -C <build> generate), then commit them" >&2
  exit 1
fi
$check && echo "generated files are up to date" || echo "generated: docs/reference.md, charts/kubedbt/crds/, charts/kubedbt/files/"
