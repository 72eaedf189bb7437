#!/usr/bin/env bash
# Build the go-clientv3 performer against clientv3 3.4 (module go.etcd.io/etcd, import
# path go.etcd.io/etcd/clientv3), from the same source as every other version.
#   bash etcd34/build.sh VERSION OUT     (../build.sh hands 3.4.x over to this)
# The shim, all at build time in a copy under OUT:
#   - go.mod/go.sum are this folder's (gRPC-Go 1.29.1, the newest clientv3 3.4 builds with);
#   - gen/performerv1 is replaced by gen/_etcd34/performerv1 (stubs for that gRPC);
#   - imports move from the 3.5+ paths to the 3.4 module's (table below);
#   - `-tags etcd34` picks internal/etcdsdk/sdk_v34.go (what the 3.4 API lacks).
# Checks the linked module is the pin for VERSION and that it says it is VERSION.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: bash etcd34/build.sh VERSION OUT" >&2
  exit 2
fi
version="${1#v}"
out="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
perf="$(cd "$here/.." && pwd)"
mod=go.etcd.io/etcd

# 3.4 releases are tags of the release-3.4 branch that Go fetches only as pseudo-versions.
case "$version" in
  3.4.25) pseudo=v0.5.0-alpha.5.0.20230414071934-94593e63d45c ;;
  *) echo "etcd34/build.sh: no pseudo-version known for clientv3 $version (known: 3.4.25)" >&2; exit 1 ;;
esac
pinned="$(awk -v m="$mod" '$1==m {print $2} $1=="require" && $2==m {print $3}' "$here/go.mod")"
if [ "$pinned" != "$pseudo" ]; then
  echo "etcd34/build.sh: etcd34/go.mod pins $mod ${pinned:-<none>}, clientv3 $version is $pseudo" >&2
  exit 1
fi

export GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=readonly"
export CGO_ENABLED="${CGO_ENABLED:-0}"
mkdir -p "$out"
src="$(mktemp -d "$out/.src.XXXXXX")"
trap 'rm -rf "$src"' EXIT
echo "etcd34/build.sh: clientv3 $version = $mod $pseudo; shimmed copy in $src"
(cd "$perf" && tar --exclude=./bin --exclude=./etcd34 -cf - .) | (cd "$src" && tar -xf -)
cp "$here/go.mod" "$here/go.sum" "$src/"
rm -f "$src"/gen/performerv1/*.go
mv "$src/gen/_etcd34/performerv1/performer.pb.go" "$src/gen/performerv1/"
rm -rf "$src/gen/_etcd34"
# The 3.5 packages and where the 3.4 module keeps them (longest paths first).
find "$src" -name '*.go' -not -path "$src/gen/*" -exec sed -i -E \
  -e 's#"go\.etcd\.io/etcd/client/v3/concurrency"#"go.etcd.io/etcd/clientv3/concurrency"#' \
  -e 's#"go\.etcd\.io/etcd/client/v3"#"go.etcd.io/etcd/clientv3"#' \
  -e 's#"go\.etcd\.io/etcd/api/v3/etcdserverpb"#"go.etcd.io/etcd/etcdserver/etcdserverpb"#' \
  -e 's#"go\.etcd\.io/etcd/api/v3/mvccpb"#"go.etcd.io/etcd/mvcc/mvccpb"#' \
  -e 's#"go\.etcd\.io/etcd/api/v3/v3rpc/rpctypes"#"go.etcd.io/etcd/etcdserver/api/v3rpc/rpctypes"#' \
  -e 's#"go\.etcd\.io/etcd/api/v3/version"#"go.etcd.io/etcd/version"#' {} +
left="$(grep -rlE '^[[:space:]]*([[:alnum:]_]+[[:space:]]+)?"go\.etcd\.io/etcd/(client|api)/v3' "$src" --include='*.go' --exclude='*_test.go' || true)"
if [ -n "$left" ]; then
  echo "etcd34/build.sh: imports with no 3.4 mapping left in: $left (add them to the table)" >&2
  exit 1
fi

cd "$src"
said="$(sed -n 's/^[[:space:]]*Version[[:space:]]*= "\(.*\)"/\1/p' "$(go list -m -f '{{.Dir}}' "$mod")/version/version.go")"
if [ "$said" != "$version" ]; then
  echo "etcd34/build.sh: $mod $pseudo says it is $said, not $version" >&2
  exit 1
fi
echo "etcd34/build.sh: go build -tags etcd34 -trimpath -o $out/performer ."
go build -tags etcd34 -trimpath -o "$out/performer.tmp" .
mv -f "$out/performer.tmp" "$out/performer"
go build -tags etcd34 -trimpath -o "$out/bench-direct.tmp" ./cmd/bench-direct
mv -f "$out/bench-direct.tmp" "$out/bench-direct"
linked="$(go version -m "$out/performer" | awk -v m="$mod" '$1=="dep" && $2==m {print $3}')"
if [ "$linked" != "$pseudo" ]; then
  echo "etcd34/build.sh: built performer links $mod ${linked:-<none>}, expected $pseudo" >&2
  exit 1
fi
echo "etcd34/build.sh: ok: $out/performer and $out/bench-direct link $mod $linked (clientv3 $version)"
