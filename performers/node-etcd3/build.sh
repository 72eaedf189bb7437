#!/usr/bin/env bash
# Build the node-etcd3 performer against one version of the etcd3 npm package.
#   bash build.sh VERSION OUT
# Installs the locked dependencies into OUT with `npm ci` (OUT/node_modules; nothing
# is written into this folder). The lock for VERSION is package.json +
# package-lock.json here when VERSION is their etcd3 pin, else
# versions/VERSION/package.json + package-lock.json (made by `bash lock.sh VERSION`).
# The performer runs from this folder's src/ with `--deps OUT`. The install is skipped
# when OUT/.installed holds the hash of the lock and the node version; the smoke check
# (load the SDK and the protocol, Describe) and the unit tests (test/) always run.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: bash build.sh VERSION OUT" >&2
  exit 2
fi
version="${1#v}"
out="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "build.sh: ERROR: $*" >&2; exit 1; }
say() { echo "build.sh: $*"; }

command -v node >/dev/null || die "node not found on PATH (need Node.js >= 18)"
command -v npm >/dev/null || die "npm not found on PATH"
node_version="$(node --version)"
case "$node_version" in
  v1[89].*|v[2-9][0-9].*) ;;
  *) die "node $node_version is too old (need >= 18)" ;;
esac

pinned="$(node -p "require('$here/package.json').dependencies.etcd3")"
if [ "$version" = "$pinned" ]; then
  lockdir="$here"
else
  lockdir="$here/versions/$version"
fi
[ -f "$lockdir/package.json" ] && [ -f "$lockdir/package-lock.json" ] \
  || die "no lock for etcd3 $version (expected $lockdir/package.json and package-lock.json; make it with 'bash lock.sh $version')"
locked="$(node -p "require('$lockdir/package.json').dependencies.etcd3")"
[ "$locked" = "$version" ] || die "$lockdir/package.json pins etcd3 $locked, not $version"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
hash="$( { cat "$lockdir/package.json" "$lockdir/package-lock.json"; echo "node=$node_version"; } | sha256sum | cut -d' ' -f1)"

if [ -f "$out/.installed" ] && [ "$(cat "$out/.installed")" = "$hash" ] && [ -d "$out/node_modules/etcd3" ]; then
  say "dependencies up to date in $out (etcd3 $version, lock hash ${hash:0:12})"
else
  rm -f "$out/.installed"
  cp "$lockdir/package.json" "$lockdir/package-lock.json" "$out/"
  scripts=(--ignore-scripts)
  if [ "${version%%.*}" = "0" ]; then
    # etcd3 0.x depends on the native `grpc` package (1.24). Its install script
    # looks for a prebuilt binary (not reachable here) and falls back to compiling
    # grpc core with node-gyp against this node's headers: several minutes and a
    # C++ toolchain (make, g++, python3).
    node_prefix="$(dirname "$(dirname "$(node -p process.execPath)")")"
    [ -f "$node_prefix/include/node/node.h" ] \
      || die "etcd3 $version needs Node.js headers to compile grpc; $node_prefix/include/node/node.h not found"
    for tool in make g++ python3; do
      command -v "$tool" >/dev/null || die "etcd3 $version compiles the native grpc package and needs $tool"
    done
    export npm_config_nodedir="$node_prefix"
    export JOBS="${JOBS:-2}"
    scripts=(--foreground-scripts)
    say "etcd3 $version uses the native grpc package: compiling it from source (slow)"
  fi
  say "npm ci in $out (etcd3 $version, lock $(realpath --relative-to="$here" "$lockdir/package-lock.json"))"
  # --ignore-scripts for 1.x: none of its dependencies needs an install script
  # (protobufjs' postinstall only prints a version warning).
  (cd "$out" && npm ci "${scripts[@]}" --no-audit --no-fund --loglevel=error) || die "npm ci failed"
  echo "$hash" > "$out/.installed"
fi

say "checking the installed SDK and the protocol"
describe="$(cd "$here" && node src/main.js --check --deps "$out")" || die "the performer does not load with $out"
got="$(node -e 'const d = JSON.parse(process.argv[1]); console.log(d.sdk_version)' "$describe")"
[ "$got" = "$version" ] || die "installed etcd3 is $got, wanted $version"
say "unit tests (node --test test/) against the installed SDK"
(cd "$here" && ETCDFIT_NODE_DEPS="$out" node --test --test-reporter=dot test/) || die "unit tests failed against etcd3 $version"
say "ok: $describe"
