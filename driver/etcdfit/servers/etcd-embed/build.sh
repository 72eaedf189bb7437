#!/usr/bin/env bash
# Build etcd's own server main (go.etcd.io/etcd/server/v3/etcdmain) at one version.
#   bash build.sh VERSION OUT
# Produces OUT/etcd. When VERSION is the go.mod pin the module builds in place;
# otherwise a copy under OUT is re-pinned with `go get go.etcd.io/etcd/server/v3@vVERSION`
# (which moves api/v3, client/* and pkg/v3 with it) and `go mod tidy`.
# Gentle by default (GOFLAGS -p=1); idempotent; fails loudly.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: bash build.sh VERSION OUT" >&2
  exit 2
fi
version="${1#v}"
out="$2"
case "$out" in
  /*) ;;
  *) out="$(pwd)/$out" ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mod=go.etcd.io/etcd/server/v3

command -v go >/dev/null || { echo "build.sh: go not found on PATH" >&2; exit 1; }
case " ${GOFLAGS:-} " in
  *" -p="*) ;;
  *) GOFLAGS="${GOFLAGS:-} -p=${ETCDFIT_GO_JOBS:-1}" ;;
esac
export GOFLAGS="$GOFLAGS -buildvcs=false"
export CGO_ENABLED="${CGO_ENABLED:-0}"

pinned="$(cd "$here" && go list -m -f '{{.Version}}' "$mod")"
pinned="${pinned#v}"
mkdir -p "$out"

if [ "$version" = "$pinned" ]; then
  src="$here"
  echo "build.sh: building $mod v$version (go.mod pin) in place: $src"
else
  src="$(mktemp -d "$out/.src.XXXXXX")"
  trap 'rm -rf "$src"' EXIT
  echo "build.sh: go.mod pins v$pinned; re-pinning a copy to v$version in $src"
  cp "$here/main.go" "$src/"
  printf 'module etcdfit.dev/servers/etcd-embed\n\ngo 1.26.0\n' >"$src/go.mod"
  (cd "$src" && go get "$mod@v$version" && go mod tidy)
fi

cd "$src"
echo "build.sh: go build -trimpath -o $out/etcd ."
go build -trimpath -o "$out/etcd.tmp" .
mv -f "$out/etcd.tmp" "$out/etcd"

linked="$(go version -m "$out/etcd" | awk -v m="$mod" '$1=="dep" && $2==m {print $3}')"
if [ "${linked#v}" != "$version" ]; then
  echo "build.sh: built etcd links $mod ${linked:-<none>}, expected v$version" >&2
  exit 1
fi
echo "build.sh: ok: $out/etcd links $mod $linked"
"$out/etcd" --version
