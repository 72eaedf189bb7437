//! rust-etcd-client performer: `performer --listen 127.0.0.1:PORT`.
//! Serves protocol v1 (protos/etcdfit/performer/v1) over the etcd-client crate.
//! Logs go to stderr, one line per RPC.

mod capabilities;
mod clock;
mod errors;
#[macro_use]
mod log;
mod pb;
mod sdk;
mod server;
mod workload;

use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: performer --listen HOST:PORT | performer --sdk-version");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut listen: Option<String> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next(),
            s if s.starts_with("--listen=") => listen = Some(s["--listen=".len()..].to_string()),
            "--sdk-version" => {
                println!("{}", server::SDK_VERSION);
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => return usage(),
            other => {
                eprintln!("unknown argument {other:?}");
                return usage();
            }
        }
    }
    let Some(listen) = listen else { return usage() };
    errors::etcd_messages(); // etcd's error table: a bad one stops the performer here
    clock::now_ns(); // start the monotonic clock
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server::serve(&listen)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            logln!("fatal: {e}");
            ExitCode::FAILURE
        }
    }
}
