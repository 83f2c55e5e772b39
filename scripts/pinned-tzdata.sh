#!/usr/bin/env bash
# The one tz database kubedbt evaluates schedules with, whatever tzdata the machine has: IANA
# release 2026f, compiled by IANA's zic, as published in PyPI's `tzdata` wheel (PyPI keeps every
# release, unlike Debian's archive). The images (Dockerfile), the test suites (TZDIR) and the local
# cluster's kube-controller-manager (ZONEINFO) all read this folder.
#
#   pinned-tzdata.sh dir       fetch once into $KUBEDBT_CACHE/tzdata-<version>, print the zoneinfo folder
#   pinned-tzdata.sh path      print where that folder is, without fetching
#   pinned-tzdata.sh release   print the IANA release name (2026f)
#
# PIP names the pip to download with (default: the dbt virtualenv's, from install-deps.sh).
set -euo pipefail

readonly IANA_RELEASE=2026f
readonly PYPI_VERSION=2026.6
readonly WHEEL=tzdata-$PYPI_VERSION-py2.py3-none-any.whl
readonly WHEEL_SHA256=0a10eec6e13ef16b627fabed9a5f2ba61a62b1c67f327305f4e7e412a70b4aec

cache=${KUBEDBT_CACHE:-$HOME/.cache/kubedbt}
pip=${PIP:-$cache/venv/bin/pip}
dest=$cache/tzdata-$PYPI_VERSION

die() {
  echo "pinned-tzdata: $*" >&2
  exit 1
}

fetch() {
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/kubedbt-tzdata.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  "$pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    "tzdata==$PYPI_VERSION" -d "$work" >&2 || die "pip download tzdata==$PYPI_VERSION failed"
  echo "$WHEEL_SHA256  $work/$WHEEL" | sha256sum --check --quiet >&2 ||
    die "$WHEEL does not have the pinned sha256 $WHEEL_SHA256"
  python3 -m zipfile -e "$work/$WHEEL" "$work/unpacked" >&2
  local zi=$work/unpacked/tzdata/zoneinfo/tzdata.zi
  head -1 "$zi" | grep -qx "# version $IANA_RELEASE" ||
    die "$WHEEL holds $(head -1 "$zi"), not release $IANA_RELEASE"
  mkdir -p "$dest.tmp"
  rm -rf "$dest.tmp/zoneinfo"
  mv "$work/unpacked/tzdata/zoneinfo" "$dest.tmp/zoneinfo"
  # Package markers of the wheel, not zones.
  find "$dest.tmp/zoneinfo" -name '__init__.py' -delete
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
}

case ${1:-} in
  dir)
    [ -f "$dest/zoneinfo/tzdata.zi" ] || fetch
    echo "$dest/zoneinfo"
    ;;
  path) echo "$dest/zoneinfo" ;;
  release) echo "$IANA_RELEASE" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
