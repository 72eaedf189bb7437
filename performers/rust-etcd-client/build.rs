//! Build script: generates the performer protocol's server code from
//! protos/etcdfit/performer/v1/performer.proto with tonic-prost-build, using the
//! protoc shipped in the protoc-bin-vendored crate (nothing is downloaded), and
//! records the etcd-client version resolved in Cargo.lock as ETCD_CLIENT_VERSION.
use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());

    // build.sh builds a copy of this folder under OUT and says where the repo's
    // protos are; a build inside the repo finds them two levels up.
    println!("cargo:rerun-if-env-changed=ETCDFIT_PROTOS");
    let protos = env::var_os("ETCDFIT_PROTOS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../../protos"));
    let proto = protos.join("etcdfit/performer/v1/performer.proto");
    if !proto.exists() {
        panic!("performer.proto not found at {} (set ETCDFIT_PROTOS)", proto.display());
    }
    println!("cargo:rerun-if-changed={}", proto.display());

    if env::var_os("PROTOC").is_none() {
        let protoc = protoc_bin_vendored::protoc_bin_path().expect("protoc-bin-vendored has no protoc for this platform");
        env::set_var("PROTOC", protoc);
    }
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .compile_protos(&[&proto], &[&protos])
        .expect("compiling performer.proto");

    // The SDK version actually linked: the etcd-client entry of the resolved lockfile.
    let lock = manifest_dir.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let version = fs::read_to_string(&lock)
        .ok()
        .and_then(|text| locked_version(&text, "etcd-client"))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=ETCD_CLIENT_VERSION={version}");
}

/// The version of package `name` in a Cargo.lock ([[package]] name = ... version = ...).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let want = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == want {
            let next = lines.next()?.trim();
            return next
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string);
        }
    }
    None
}
