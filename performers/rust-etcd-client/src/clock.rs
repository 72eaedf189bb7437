//! The performer's monotonic clock for call_ns / return_ns.
use std::sync::OnceLock;
use std::time::Instant;

static BASE: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds on a monotonic clock (since the first call in this process).
pub fn now_ns() -> i64 {
    let base = *BASE.get_or_init(Instant::now);
    i64::try_from(base.elapsed().as_nanos()).unwrap_or(i64::MAX)
}
