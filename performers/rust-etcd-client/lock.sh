#!/usr/bin/env bash
# (Re)create locks/VERSION.Cargo.lock, the committed lockfile build.sh uses for
# etcd-client VERSION. Starts from the default version's lockfile (so every version
# shares the same tonic/tokio/... where compatible) and moves only etcd-client:
#   bash lock.sh VERSION
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bash lock.sh VERSION" >&2; exit 2; }
version="${1#v}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
default="$(sed -n 's/^default_version: *//p' "$here/performer.yaml" | tr -d '"')"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -a "$here/Cargo.toml" "$here/build.rs" "$here/src" "$tmp/"
. "$here/sdk-lines.sh"
pin_cargo_toml "$version" "$here/Cargo.toml" "$tmp/Cargo.toml"
cd "$tmp"
if [ -f "$here/locks/$default.Cargo.lock" ] && [ "$version" != "$default" ]; then
  cp "$here/locks/$default.Cargo.lock" Cargo.lock
  cargo update -p etcd-client --precise "$version"
else
  cargo generate-lockfile
fi
mkdir -p "$here/locks"
cp Cargo.lock "$here/locks/$version.Cargo.lock"
echo "lock.sh: wrote locks/$version.Cargo.lock (etcd-client $version)"
