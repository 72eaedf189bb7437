#!/usr/bin/env bash
# Build the rust-etcd-client performer against one version of the etcd-client crate.
#   bash build.sh VERSION OUT
# Copies this folder's sources to OUT/build-src (mtimes kept, so warm builds are
# incremental), pins etcd-client to =VERSION in that copy's Cargo.toml, installs
# locks/VERSION.Cargo.lock as its Cargo.lock and runs `cargo build --release --locked`
# with the cargo features of that SDK line. Produces OUT/performer. Nothing is
# written into this folder. protoc comes from the protoc-bin-vendored crate (also
# for etcd-client's own build script, through PROTOC). Idempotent; fails loudly.
#
# Environment: CARGO_TARGET_DIR (default <repo>/.cache/cargo-target/rust-etcd-client,
# shared by every version: builds take a lock, so concurrent builds wait for each
# other instead of racing on target/release/performer), CARGO_BUILD_JOBS (default 2).
set -euo pipefail

die() { echo "build.sh: ERROR: $*" >&2; exit 1; }
say() { echo "build.sh: $*"; }

[ $# -eq 2 ] || { echo "usage: bash build.sh VERSION OUT" >&2; exit 2; }
version="${1#v}"
out="$2"
case "$out" in /*) ;; *) out="$(pwd)/$out" ;; esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

command -v cargo >/dev/null || die "cargo not found on PATH (install Rust with rustup)"
lock="$here/locks/$version.Cargo.lock"
[ -f "$lock" ] || die "no lockfile $lock for etcd-client $version; known: $(cd "$here/locks" && ls | sed 's/\.Cargo\.lock$//' | tr '\n' ' ')(create one with: bash lock.sh $version)"

# The SDK line decides the cargo features and the SDK's tonic (API differences, see Cargo.toml).
. "$here/sdk-lines.sh"
features="$(sdk_features "$version")"

mkdir -p "$out"
src="$out/build-src"
mkdir -p "$src"
# Sources: replaced wholesale but with their mtimes, so cargo sees unchanged files as fresh.
rm -rf "$src/src.new" && cp -a "$here/src" "$src/src.new" && rm -rf "$src/src" && mv "$src/src.new" "$src/src"
cp -p "$here/build.rs" "$src/build.rs"
# gen/: etcd's error table (protos/generate.sh copies it here; errors.rs include_str!s it).
rm -rf "$src/gen.new" && cp -a "$here/gen" "$src/gen.new" && rm -rf "$src/gen" && mv "$src/gen.new" "$src/gen"
# Cargo.toml and Cargo.lock are only rewritten when their content changes.
install_if_changed() { if ! cmp -s "$1" "$2"; then mv -f "$1" "$2"; else rm -f "$1"; fi; }
pin_cargo_toml "$version" "$here/Cargo.toml" "$src/Cargo.toml.tmp" || die "could not pin the SDK in Cargo.toml"
install_if_changed "$src/Cargo.toml.tmp" "$src/Cargo.toml"
cp "$lock" "$src/Cargo.lock.tmp"
install_if_changed "$src/Cargo.lock.tmp" "$src/Cargo.lock"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/.cache/cargo-target/rust-etcd-client}"
export ETCDFIT_PROTOS="$root/protos"
jobs="${CARGO_BUILD_JOBS:-2}"
mkdir -p "$CARGO_TARGET_DIR"

cd "$src"
say "cargo fetch --locked (etcd-client =$version, its tonic $(sdk_tonic "$version"), features: ${features:-none})"
cargo fetch --locked

# etcd-client's build script runs protoc too: point every build script at the
# protoc binary of the protoc-bin-vendored crate that the lockfile pins.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pbv=protoc-bin-vendored-linux-x86_64 ;;
  Linux-aarch64) pbv=protoc-bin-vendored-linux-aarch_64 ;;
  Darwin-arm64) pbv=protoc-bin-vendored-macos-aarch_64 ;;
  Darwin-x86_64) pbv=protoc-bin-vendored-macos-x86_64 ;;
  *) die "no protoc-bin-vendored package for $(uname -s)-$(uname -m)" ;;
esac
manifest="$(cargo metadata --locked --format-version 1 | grep -o "\"manifest_path\":\"[^\"]*/$pbv-[^\"]*/Cargo.toml\"" | head -1 | sed -e 's/^"manifest_path":"//' -e 's/"$//')"
[ -n "$manifest" ] || die "$pbv not found in cargo metadata"
export PROTOC="$(dirname "$manifest")/bin/protoc"
[ -x "$PROTOC" ] || chmod +x "$PROTOC" 2>/dev/null || true
[ -x "$PROTOC" ] || die "protoc not executable: $PROTOC"

say "cargo build --release --locked -j $jobs (target dir $CARGO_TARGET_DIR)"
(
  if command -v flock >/dev/null; then flock 9; fi
  cargo build --release --locked -j "$jobs" --bin performer ${features:+--features "$features"}
  cp -f "$CARGO_TARGET_DIR/release/performer" "$out/performer.tmp"
) 9>"$CARGO_TARGET_DIR/.etcdfit-build.lock"
mv -f "$out/performer.tmp" "$out/performer"

linked="$("$out/performer" --sdk-version)"
[ "$linked" = "$version" ] || die "built performer links etcd-client $linked, expected $version"
say "ok: $out/performer links etcd-client $linked"
