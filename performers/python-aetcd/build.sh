#!/usr/bin/env bash
# Build the python-aetcd performer's venv.
#   bash build.sh VERSION OUT
# Creates OUT/venv (python3 -m venv) and installs requirements.lock with the aetcd pin
# replaced by VERSION (binary wheels only, no dependency resolution: the lock is
# complete). Idempotent: skipped when OUT/venv/.installed holds the hash of the
# resolved requirements and the interpreter version. Writes nothing into this folder;
# copies the shared kit (../python-kit) into OUT/kit.
# The lock's completeness is checked by importing aetcd, grpc and the gen/ stubs.
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
grep -q '^aetcd==' "$LOCK" || die "requirements.lock has no aetcd== pin"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || die "aetcd needs Python >= 3.10 ($PYTHON is $("$PYTHON" -V 2>&1))"

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

# Resolved requirements: the lock with aetcd pinned to VERSION.
sed -e "s/^aetcd==.*/aetcd==${VERSION}/" "$LOCK" > "$REQS.tmp"
PYVER=$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
HASH=$( { cat "$REQS.tmp"; echo "python=$PYVER"; } | sha256sum | cut -d' ' -f1)

if [ -f "$VENV/.installed" ] && [ "$(cat "$VENV/.installed")" = "$HASH" ] && [ -x "$VENV/bin/python" ]; then
  say "up to date: $VENV (aetcd==$VERSION, lock hash ${HASH:0:12})"
  rm -f "$REQS.tmp"
  check_performer
  exit 0
fi

mv "$REQS.tmp" "$REQS"
if [ -e "$VENV" ]; then
  say "removing stale venv $VENV"
  rm -rf "$VENV"
fi
# Fast path: a venv without its own pip, filled by the host pip (pip >= 22.3 has
# --python); this saves the ~8 s of ensurepip. Otherwise a venv with pip.
PIP_HELP=$("$PYTHON" -m pip --help 2>/dev/null || true)
if [[ $PIP_HELP == *"--python <python>"* ]]; then
  say "creating venv $VENV with $PYTHON ($PYVER), filled by the host pip"
  "$PYTHON" -m venv --without-pip "$VENV"
  PIP=("$PYTHON" -m pip --python "$VENV/bin/python")
else
  say "creating venv $VENV with $PYTHON ($PYVER)"
  "$PYTHON" -m venv "$VENV"
  PIP=("$VENV/bin/python" -m pip)
fi
say "installing $REQS (aetcd==$VERSION)"
"${PIP[@]}" install --no-input --disable-pip-version-check -q \
  --no-deps --only-binary :all: -r "$REQS" || die "pip install failed"

say "checking imports"
(cd "$HERE" && "$VENV/bin/python" -B - "$VERSION" <<'PY') || die "the venv does not import aetcd and the gen/ stubs, or has the wrong aetcd"
import sys
sys.path.insert(0, "gen")
from importlib.metadata import version
import aetcd, grpc, google.protobuf  # noqa: F401
from etcdfit.performer.v1 import performer_pb2, performer_pb2_grpc  # noqa: F401
got = version("aetcd")
if got != sys.argv[1]:
    sys.exit("aetcd %s installed, wanted %s" % (got, sys.argv[1]))
print("build.sh: aetcd %s, grpcio %s, protobuf %s" % (got, version("grpcio"), version("protobuf")))
PY

check_performer
echo "$HASH" > "$VENV/.installed"
say "done: $VENV"
