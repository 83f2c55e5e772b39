#!/usr/bin/env bash
# ctest e2e.demo: `scripts/demo.sh up` twice, then `down`, in a demo folder of its own; checks the
# printed results (Succeeded runs that built models, the blue-green swap, rows in the built schemas)
# and that down leaves nothing behind. Usage: demo_test.sh BUILD_DIR DEMO_DIR
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
dir=$2
out=$(mktemp -d "${TMPDIR:-/tmp}/kubedbt-demo-test.XXXXXX")
trap 'rm -rf "$out"' EXIT

fail() { echo "e2e.demo: FAILED: $*" >&2; "$repo/scripts/demo.sh" down --dir "$dir" >&2 || true; exit 1; }

# A leftover of an interrupted earlier run is stopped first.
"$repo/scripts/demo.sh" down --dir "$dir"

# The printed table's rows for one kind: "dbtrun.kubedbt.io/NAME PROJECT TARGET PHASE PROGRESS MODELS ..."
check_output() {
  local file=$1 runs
  runs=$(grep '^dbtrun.kubedbt.io/' "$file" || true)
  [ "$(echo "$runs" | grep -c .)" -ge 2 ] || fail "$file shows fewer than two DbtRuns: $runs"
  echo "$runs" | awk '$4 != "Succeeded" || $6 + 0 < 1 { bad = 1; print "not a successful run with models: " $0 }
                      END { exit bad }' >&2 || fail "a DbtRun did not succeed with models built"
  grep -q '^dbtschedule.kubedbt.io/shop-nightly .* Succeeded ' "$file" ||
    fail "DbtSchedule shop-nightly does not show its last run Succeeded"
  # psql's table: " analytics | fct_orders | base table | 1000"
  local rows
  rows=$(awk -F'|' '$1 ~ /^ *analytics *$/ && $2 ~ /^ *fct_orders *$/ { gsub(/ /, "", $4); print $4 }' "$file")
  [ -n "$rows" ] && [ "$rows" -gt 0 ] || fail "analytics.fct_orders holds no rows in the printed results"
  rows=$(awk -F'|' '$1 ~ /^ *dev_shop *$/ && $2 ~ /^ *fct_orders *$/ { gsub(/ /, "", $4); print $4 }' "$file")
  [ -n "$rows" ] && [ "$rows" -gt 0 ] || fail "dev_shop.fct_orders holds no rows in the printed results"
}

for attempt in 1 2; do
  "$repo/scripts/demo.sh" up --build "$build" --dir "$dir" 2>&1 | tee "$out/up-$attempt.txt" ||
    fail "demo up (attempt $attempt) exited non-zero"
  check_output "$out/up-$attempt.txt"
done
grep -q 'operator already running' "$out/up-2.txt" || fail "the second up did not reuse the operator"
# The nightly schedule deploys blue-green: the second night swaps and keeps the first as backup.
grep -q 'swapped into production: true; .*backups kept: \[analytics__' "$out/up-2.txt" ||
  fail "the second scheduled run shows no blue-green swap with a backup"

"$repo/scripts/demo.sh" down --dir "$dir" || fail "demo down exited non-zero"
[ ! -e "$dir" ] || fail "demo down left $dir behind"
if pgrep -af -- "$dir/" >&2; then fail "processes of $dir survive demo down"; fi
echo "e2e.demo: passed"
