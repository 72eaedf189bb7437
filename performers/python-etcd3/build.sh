#!/usr/bin/env bash
# Build the python-etcd3 performer's venv.
#   bash build.sh VERSION OUT
# Creates OUT/venv (python3 -m venv) and installs requirements.lock with the etcd3 pin
# replaced by VERSION. Idempotent: skipped when OUT/venv/.installed holds the hash of
# the resolved requirements and the interpreter version. Copies the shared kit into OUT/kit.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: bash build.sh VERSION OUT" >&2
  exit 2
fi
VERSION=$1
OUT=$2
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOCK="$HERE/requirements.lock"

die() { echo "build.sh: ERROR: $*" >&2; exit 1; }
say() { echo "build.sh: $*"; }

[ -f "$LOCK" ] || die "missing $LOCK"
grep -q '^etcd3==' "$LOCK" || die "requirements.lock has no etcd3== pin"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
VENV="$OUT/venv"
REQS="$OUT/requirements.txt"

# The shared kit (performers/python-kit, listed under `shared:` in performer.yaml, so an
# edit to it rebuilds this performer) is copied into OUT/kit, where paths.py finds it.
KIT="$HERE/../python-kit/etcdfit_kit"
[ -d "$KIT" ] || die "missing $KIT (the shared Python performer kit)"
rm -rf "$OUT/kit.new"
mkdir -p "$OUT/kit.new/etcdfit_kit"
cp "$KIT"/*.py "$OUT/kit.new/etcdfit_kit/"
rm -rf "$OUT/kit"
mv "$OUT/kit.new" "$OUT/kit"
say "copied the kit into $OUT/kit"

# The performer imports with this venv, the copied kit and the gen/ stubs.
check_performer() {
  (cd "$HERE" && "$VENV/bin/python" -B - "$OUT/kit" <<'PY') || die "the performer does not import (sdk, the kit in $OUT/kit, gen/)"
import os, sys
import paths, sdk  # noqa: F401
if os.path.realpath(paths.KIT) != os.path.realpath(sys.argv[1]):
    sys.exit("the kit loads from %s, not %s" % (paths.KIT, sys.argv[1]))
print("build.sh: performer imports (kit %s)" % paths.KIT)
PY
}

# Resolved requirements: the lock with etcd3 pinned to VERSION.
sed -e "s/^etcd3==.*/etcd3==${VERSION}/" "$LOCK" > "$REQS.tmp"
PYVER=$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
HASH=$( { cat "$REQS.tmp"; echo "python=$PYVER"; } | sha256sum | cut -d' ' -f1)

if [ -f "$VENV/.installed" ] && [ "$(cat "$VENV/.installed")" = "$HASH" ] && [ -x "$VENV/bin/python" ]; then
  say "up to date: $VENV (etcd3==$VERSION, lock hash ${HASH:0:12})"
  rm -f "$REQS.tmp"
  check_performer
  exit 0
fi

mv "$REQS.tmp" "$REQS"
if [ -e "$VENV" ]; then
  say "removing stale venv $VENV"
  rm -rf "$VENV"
fi
say "creating venv $VENV with $PYTHON ($PYVER)"
"$PYTHON" -m venv "$VENV"
say "installing $REQS (etcd3==$VERSION)"
"$VENV/bin/python" -m pip install --no-input --disable-pip-version-check -q -r "$REQS" \
  || die "pip install failed"

say "checking imports"
"$VENV/bin/python" - "$VERSION" <<'PY' || die "installed venv does not import etcd3/grpc or has the wrong etcd3 version"
import sys
from importlib.metadata import version
import etcd3, grpc, google.protobuf  # noqa: F401
got = version("etcd3")
if got != sys.argv[1]:
    sys.exit("etcd3 %s installed, wanted %s" % (got, sys.argv[1]))
print("build.sh: etcd3 %s, grpcio %s, protobuf %s" % (got, version("grpcio"), version("protobuf")))
PY

check_performer
echo "$HASH" > "$VENV/.installed"
say "done: $VENV"
