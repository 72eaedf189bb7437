#!/usr/bin/env bash
# Build the go-clientv3 performer against one version of go.etcd.io/etcd/client/v3.
#   bash build.sh VERSION OUT
# Produces OUT/performer and OUT/bench-direct. When VERSION is the go.mod pin the
# module builds in place; otherwise a copy of the module under OUT is re-pinned
# with `go get go.etcd.io/etcd/client/v3@vVERSION && go mod tidy` and built, so
# one source tree builds several SDK versions. A 3.4.x VERSION (module go.etcd.io/etcd)
# is built by etcd34/build.sh from the same source. Idempotent; fails loudly.
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
sdk=go.etcd.io/etcd/client/v3

command -v go >/dev/null || { echo "build.sh: go not found on PATH" >&2; exit 1; }
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export CGO_ENABLED="${CGO_ENABLED:-0}"

pinned="$(cd "$here" && go list -m -f '{{.Version}}' "$sdk")"
pinned="${pinned#v}"
mkdir -p "$out"

case "$version" in
  3.4.*) exec bash "$here/etcd34/build.sh" "$version" "$out" ;;
esac

if [ "$version" = "$pinned" ]; then
  src="$here"
  echo "build.sh: building $sdk v$version (go.mod pin) in place: $src"
else
  src="$(mktemp -d "$out/.src.XXXXXX")"
  trap 'rm -rf "$src"' EXIT
  echo "build.sh: go.mod pins v$pinned; re-pinning a copy to v$version in $src"
  (cd "$here" && tar --exclude=./bin -cf - .) | (cd "$src" && tar -xf -)
  # api/v3 and client/pkg/v3 are released in lockstep with client/v3 (and
  # this module imports api/v3 directly), so all three move together.
  (cd "$src" && go get "$sdk@v$version" "go.etcd.io/etcd/api/v3@v$version" "go.etcd.io/etcd/client/pkg/v3@v$version" && go mod tidy)
fi

cd "$src"
echo "build.sh: go build -trimpath -o $out/performer ."
go build -trimpath -o "$out/performer.tmp" .
mv -f "$out/performer.tmp" "$out/performer"
echo "build.sh: go build -trimpath -o $out/bench-direct ./cmd/bench-direct"
go build -trimpath -o "$out/bench-direct.tmp" ./cmd/bench-direct
mv -f "$out/bench-direct.tmp" "$out/bench-direct"

linked="$(go version -m "$out/performer" | awk -v m="$sdk" '$1=="dep" && $2==m {print $3}')"
if [ "${linked#v}" != "$version" ]; then
  echo "build.sh: built performer links $sdk ${linked:-<none>}, expected v$version" >&2
  exit 1
fi
echo "build.sh: ok: $out/performer and $out/bench-direct link $sdk $linked"
