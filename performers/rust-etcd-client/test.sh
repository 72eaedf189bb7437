#!/usr/bin/env bash
# Unit tests (error mapping, capabilities vs. capabilities/catalog.yaml, version parsing)
# against one etcd-client version, in the build copy that build.sh prepares:
#   bash test.sh [VERSION]      (default: performer.yaml's default_version)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="${1:-$(sed -n 's/^default_version: *//p' "$here/performer.yaml" | tr -d '"')}"
out="$root/.cache/performers/rust-etcd-client/$version"
bash "$here/build.sh" "$version" "$out"
. "$here/sdk-lines.sh"
features="$(sdk_features "$version")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/.cache/cargo-target/rust-etcd-client}"
export ETCDFIT_PROTOS="$root/protos" ETCDFIT_CATALOG="$root/capabilities/catalog.yaml"
export PROTOC="$(cd "$out/build-src" && dirname "$(cargo metadata --locked --format-version 1 | grep -o '"manifest_path":"[^"]*/protoc-bin-vendored-linux-$(uname -m | sed "s/aarch64/aarch_64/")/Cargo.toml"' | head -1 | sed -e 's/^"manifest_path":"//' -e 's/"$//')")/bin/protoc"
cd "$out/build-src"
cargo test --release --locked -j "${CARGO_BUILD_JOBS:-2}" ${features:+--features "$features"}
