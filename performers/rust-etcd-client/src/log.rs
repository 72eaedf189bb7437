//! One-line stderr logging.
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds.micros since the epoch, for log lines.
pub fn stamp() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

/// Logs one line to stderr: `rust-etcd-client <time> <message>`.
#[macro_export]
macro_rules! logln {
    ($($arg:tt)*) => {
        eprintln!("rust-etcd-client {} {}", $crate::log::stamp(), format_args!($($arg)*))
    };
}
