#!/usr/bin/env bash
# Keeps the Dockerfile in step with scripts/install-deps.sh and the build, since no Docker engine
# runs here. Checks:
#   1. the builder stage installs exactly APT_PACKAGES; the runner stage pip-installs exactly
#      PIP_PACKAGES; no other pip list of install-deps.sh (test-only tools) reaches an image;
#   2. with --operator/--runner BIN: every shared library those binaries need comes from a package
#      the operator/runner stage installs (the image would not start otherwise);
#   3. with --build DIR: the source the build context would hold (git's files minus .dockerignore)
#      is copied to DIR and the builder stage's build commands run there, as `docker build` would.
# Usage: check-dockerfile.sh [--operator BIN] [--runner BIN] [--build DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dockerfile=$root/Dockerfile
install_deps=$root/scripts/install-deps.sh
operator_bin='' runner_bin='' build_dir=''
while [ $# -gt 0 ]; do
  case $1 in
    --operator) operator_bin=$2; shift ;;
    --runner) runner_bin=$2; shift ;;
    --build) build_dir=$2; shift ;;
    *) echo "check-dockerfile: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

failures=0
fail() { echo "check-dockerfile: $*" >&2; failures=$((failures + 1)); }

# The words of a bash array assignment NAME=( ... ) in install-deps.sh, one per line.
array_of() {
  awk -v name="$1" 'index($0, name "=(") == 1 {inside = 1; sub(/^[^(]*\(/, "")}
                    inside {sub(/#.*/, ""); done = sub(/\).*/, ""); print; if (done) exit}' \
    "$install_deps" | tr ' ' '\n' | sed '/^$/d'
}

# Dockerfile instructions with continuations joined: "<stage> <instruction line>".
instructions() {
  sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba}' "$dockerfile" | grep -v '^[[:space:]]*#' |
    awk '/^FROM /{stage=""; for (i = 1; i <= NF; i++) if (tolower($i) == "as") stage = $(i + 1)}
         NF {print (stage == "" ? "-" : stage), $0}'
}

# "<stage> apt|pip <package>" for every apt-get install / pip install of every RUN.
installs() {
  instructions | awk '$2 == "RUN" {
    stage = $1; line = $0; sub(/^[^ ]+ RUN /, "", line)
    n = split(line, commands, /&&|;|\|\|/)
    for (c = 1; c <= n; c++) {
      m = split(commands[c], w, /[ \t]+/); mode = ""
      for (j = 1; j <= m; j++) {
        if (w[j] == "") continue
        if (mode == "" && w[j] == "install" && j > 1) {
          if (w[j - 1] == "apt-get" || w[j - 1] == "apt") mode = "apt"
          else if (w[j - 1] ~ /^pip3?$/) mode = "pip"
          continue
        }
        if (mode != "" && w[j] !~ /^-/) print stage, mode, w[j]
      }
    }
  }'
}

stage_list() { installs | awk -v s="$1" -v k="$2" '$1 == s && $2 == k {print $3}' | sort -u; }

same_set() {  # what, expected (lines), actual (lines)
  local missing extra
  missing=$(comm -23 <(echo "$2" | sort -u) <(echo "$3" | sort -u) | tr '\n' ' ')
  extra=$(comm -13 <(echo "$2" | sort -u) <(echo "$3" | sort -u) | tr '\n' ' ')
  [ -z "$missing" ] || fail "$1 lacks: $missing"
  [ -z "$extra" ] || fail "$1 has what scripts/install-deps.sh does not: $extra"
}

for stage in builder operator runner; do
  instructions | grep -q "^$stage FROM" || fail "no stage named $stage (FROM ... AS $stage)"
done

# 1. Package lists.
apt_expected=$(array_of APT_PACKAGES)
pip_expected=$(array_of PIP_PACKAGES)
[ -n "$apt_expected" ] || fail "APT_PACKAGES not found in scripts/install-deps.sh"
[ -n "$pip_expected" ] || fail "PIP_PACKAGES not found in scripts/install-deps.sh"
same_set "the builder stage's apt-get install (APT_PACKAGES)" "$apt_expected" "$(stage_list builder apt)"
same_set "the runner stage's pip install (PIP_PACKAGES)" "$pip_expected" "$(stage_list runner pip)"
for p in $pip_expected; do
  case $p in *==*) ;; *) fail "PIP_PACKAGES entry $p is not pinned (name==version)" ;; esac
done
for list in $(grep -oE '^[A-Z_]*PIP[A-Z_]*=\(' "$install_deps" | tr -d '=(' | grep -vx PIP_PACKAGES); do
  for p in $(array_of "$list"); do
    name=${p%%[=<>]*}
    if installs | awk '$2 == "pip" {print $3}' | grep -qiE "^${name}([=<>]|$)"; then
      fail "$name of $list (not for images) is pip-installed in the Dockerfile"
    fi
  done
done
for stage in operator runner; do
  installs | awk -v s=$stage '$1 == s && $2 == "apt" && $3 ~ /-dev$/ {print $3}' |
    while read -r p; do fail "the $stage stage installs a development package: $p"; done
done
instructions | grep -q '^runner ENTRYPOINT \["/usr/local/bin/kubedbt-runner"\]' ||
  fail "the runner stage's ENTRYPOINT is not kubedbt-runner"
for stage in operator runner; do
  instructions | grep -qE "^$stage USER 65532" ||
    fail "the $stage stage does not switch to the non-root user 65532 (the operator's runner_uid)"
done

# 2. Runtime libraries: the Debian package of each library a binary links directly.
packages_needed() {
  local bin=$1 lib path
  for lib in $(objdump -p "$bin" | awk '$1 == "NEEDED" {print $2}'); do
    path=$(ldd "$bin" | awk -v l="$lib" '$1 == l {print $3}')
    [ -n "$path" ] || { fail "$bin: $lib not found by ldd"; continue; }
    dpkg -S "$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null ||
      dpkg -S "${path#/usr}" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null ||
      fail "$bin: no Debian package owns $path"
  done | cut -d: -f1 | sort -u
}
check_runtime() {  # stage binary
  local needed installed missing
  needed=$(packages_needed "$2")
  installed=$(stage_list "$1" apt)
  missing=$(comm -23 <(echo "$needed") <(echo "$installed") | tr '\n' ' ')
  [ -z "$missing" ] || fail "the $1 stage lacks runtime packages of $(basename "$2"): $missing"
}
[ -z "$operator_bin" ] || check_runtime operator "$operator_bin"
[ -z "$runner_bin" ] || check_runtime runner "$runner_bin"

if [ $failures -gt 0 ]; then
  echo "check-dockerfile: $failures problem(s); edit the Dockerfile (or scripts/install-deps.sh)" >&2
  exit 1
fi
echo "Dockerfile package lists agree with scripts/install-deps.sh${operator_bin:+; runtime libraries covered}"

# 3. The builder stage's build, on the build context.
[ -n "$build_dir" ] || exit 0
context=$build_dir/context
rm -rf "$context" && mkdir -p "$context"
ignored() {
  local path=$1 pattern
  while read -r pattern; do
    [ -n "$pattern" ] || continue
    pattern=${pattern#/}
    pattern=${pattern#\*\*/}
    # shellcheck disable=SC2053  # the pattern is a glob on purpose
    if [[ $path == $pattern || $path == $pattern/* || $path == */$pattern || $path == */$pattern/* ]]; then
      return 0
    fi
  done < <(grep -v '^[[:space:]]*#' "$root/.dockerignore")
  return 1
}
cd "$root"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue
  ignored "$f" || printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$context"
workdir=$(instructions | awk '$1 == "builder" && $2 == "WORKDIR" {print $3}' | tail -1)
echo "builder stage in $context (stands for $workdir):"
# Each RUN after COPY of the builder stage is a build command.
instructions | awk '$1 == "builder" && $2 == "COPY" {copied = 1; next}
                    copied && $1 == "builder" && $2 == "RUN" {sub(/^[^ ]+ RUN /, ""); print}' |
  while IFS= read -r command; do
    echo "+ $command"
    (cd "$context" && CCACHE_BASEDIR=$context CCACHE_NOHASHDIR=1 bash -euo pipefail -c "$command") ||
      { echo "check-dockerfile: the builder stage's command failed: $command" >&2; exit 1; }
  done
for bin in build/operator/kubedbt-operator build/runner/kubedbt-runner; do
  [ -x "$context/$bin" ] || { echo "check-dockerfile: the builder did not produce $bin" >&2; exit 1; }
done
"$context/build/operator/kubedbt-operator" --help >/dev/null
"$context/build/runner/kubedbt-runner" --help >/dev/null
rm -rf "$context"  # hundreds of MB of objects
echo "the builder stage builds kubedbt-operator and kubedbt-runner"
