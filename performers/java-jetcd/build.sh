#!/usr/bin/env bash
# Build the java-jetcd performer against one version of io.etcd:jetcd-core.
#   bash build.sh VERSION OUT
# Runs `mvn package -Djetcd.version=VERSION` (one pom.xml; the pom's profile for VERSION
# pins the grpc-java / protobuf / netty versions of that jetcd line). Maven builds in
# OUT/maven (-DbuildDirectory), never in this folder; its local repository is
# $ETCDFIT_M2 (default: <repo>/.cache/m2, git-ignored, shared by every version so a
# second build downloads nothing). Produces OUT/performer.jar and OUT/lib/*.jar (the
# jar's manifest Class-Path names them), so `java -jar OUT/performer.jar` runs.
# Checks that the jetcd-core jar in OUT/lib is VERSION. Fails loudly.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: bash build.sh VERSION OUT" >&2
  exit 2
fi
version="$1"
out="$2"
case "$out" in
  /*) ;;
  *) out="$(pwd)/$out" ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
m2="${ETCDFIT_M2:-$repo_root/.cache/m2}"

die() { echo "build.sh: ERROR: $*" >&2; exit 1; }
say() { echo "build.sh: $*"; }

command -v java >/dev/null || die "java not found on PATH (JDK 17+ needed)"
command -v mvn >/dev/null || die "mvn not found on PATH (Maven 3.8+ needed)"

# Only versions the pom has a profile for (or the pom default) are known to be consistent.
known="0.8.7 $(sed -n 's:.*<id>jetcd-\([0-9][^<]*\)</id>.*:\1:p' "$here/pom.xml" | tr '\n' ' ')"
case " $known " in
  *" $version "*) ;;
  *) die "jetcd $version has no profile in pom.xml (known: $known); add one pinning its grpc/protobuf/netty" ;;
esac

mkdir -p "$out" "$m2"
build="$out/maven"
say "mvn package -Djetcd.version=$version (build dir $build, local repository $m2)"
# -T 1: the machine is shared; MAVEN_OPTS keeps Maven's own JVM small and quick to start.
export MAVEN_OPTS="${MAVEN_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
mvn -B -T 1 --no-transfer-progress \
  -f "$here/pom.xml" \
  -Dmaven.repo.local="$m2" \
  -DbuildDirectory="$build" \
  -Djetcd.version="$version" \
  package

[ -f "$build/performer.jar" ] || die "maven produced no $build/performer.jar"
[ -f "$build/lib/jetcd-core-$version.jar" ] || die "built class path has no jetcd-core-$version.jar: $(ls "$build/lib" | grep jetcd-core || true)"

# Install atomically-ish: a fresh lib/ (no jars left over from another build) and the jar.
rm -rf "$out/lib.tmp"
cp -r "$build/lib" "$out/lib.tmp"
rm -rf "$out/lib"
mv "$out/lib.tmp" "$out/lib"
cp -f "$build/performer.jar" "$out/performer.jar.tmp"
mv -f "$out/performer.jar.tmp" "$out/performer.jar"

say "ok: $out/performer.jar links jetcd-core $version ($(ls "$out/lib" | wc -l) jars in $out/lib)"
