#!/usr/bin/env bash
# (Re)make the dependency lock for one etcd3 version.
#   bash lock.sh VERSION
# For the version package.json pins: rewrites package-lock.json here. For any other
# version: writes versions/VERSION/package.json (package.json with the etcd3 pin
# replaced) and its package-lock.json. Resolves from the registry, installs nothing.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bash lock.sh VERSION" >&2; exit 2; }
version="${1#v}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pinned="$(node -p "require('$here/package.json').dependencies.etcd3")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  pkg.dependencies.etcd3 = process.argv[2];
  fs.writeFileSync(process.argv[3], JSON.stringify(pkg, null, 2) + "\n");
' "$here/package.json" "$version" "$tmp/package.json"
(cd "$tmp" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error)
if [ "$version" = "$pinned" ]; then
  dest="$here"
else
  dest="$here/versions/$version"
  mkdir -p "$dest"
  cp "$tmp/package.json" "$dest/package.json"
fi
cp "$tmp/package-lock.json" "$dest/package-lock.json"
echo "lock.sh: wrote $dest/package-lock.json (etcd3 $version)"
