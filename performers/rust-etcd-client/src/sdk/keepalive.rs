//! Keep-alive streams (lease.keepalive): the SDK's own keep-alive facility used the
//! way an application uses it.
//!
//! etcd-client has no background keep-alive: `Client::lease_keep_alive(id)` opens
//! the LeaseKeepAlive stream, sends one renewal, reads its response itself and
//! returns `(LeaseKeeper, LeaseKeepAliveStream)`. The application then calls
//! `LeaseKeeper::keep_alive()` periodically and reads the renewals from
//! `LeaseKeepAliveStream::message()`. The performer's task does exactly that: a
//! renewal every TTL/3 (the TTL of the last response, or the granted TTL), every
//! response buffered for LeaseKeepAliveCollect. The SDK never re-opens the stream:
//! an error on it (the connection broke) ends the stream with that error; a
//! response with TTL <= 0 (etcd's answer once the lease is gone) ends it too, as an
//! application would stop there (no SDK error: end_error stays empty).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use etcd_client::{LeaseKeepAliveStream, LeaseKeeper};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, Instant};

use super::{bounded, convert, ok_result, Harness, Session};
use crate::clock::now_ns;
use crate::errors::map_error;
use crate::pb::{self, command_ok::Payload, CommandResult, SdkError};

/// LeaseKeepAliveCollect's wait when timeout_ms is 0.
pub const DEFAULT_COLLECT_TIMEOUT: Duration = Duration::from_millis(5000);
/// Renewal interval until a TTL is known (a lease given by id: the SDK consumed
/// the first response itself, so the first renewal is sent at once).
const FIRST_RENEWAL: Duration = Duration::ZERO;
/// Never renew more often than this (a TTL of 1 s gives 333 ms).
const MIN_INTERVAL: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Buf {
    responses: Vec<pb::KeepAliveResponse>,
    ended: bool,
    end_error: Option<SdkError>,
}

struct Shared {
    buf: Mutex<Buf>,
    changed: watch::Sender<u64>,
}

impl Shared {
    fn update(&self, f: impl FnOnce(&mut Buf)) {
        {
            let mut buf = self.buf.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut buf);
        }
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn end(&self, err: Option<SdkError>) {
        self.update(|b| {
            b.ended = true;
            if let Some(e) = err {
                b.end_error.get_or_insert(e);
            }
        });
    }
}

/// One live keep-alive handle.
pub struct KeepAlive {
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        // Drops the LeaseKeeper and LeaseKeepAliveStream: the stream closes.
        self.task.abort();
    }
}

/// The renewal interval for a TTL in seconds: TTL/3.
fn interval_for(ttl: i64) -> Duration {
    let ms = u64::try_from(ttl).unwrap_or(0).saturating_mul(1000) / 3;
    Duration::from_millis(ms).max(MIN_INTERVAL)
}

impl Session {
    /// LeaseKeepAliveStart: with id 0, Client::lease_grant(ttl) first; then
    /// Client::lease_keep_alive(id), and a task that renews and reads as above.
    /// The opening runs under the performer's deadline (request timeout): the
    /// SDK waits for the first keep-alive response without one of its own.
    pub async fn keep_alive_start(&mut self, k: &pb::LeaseKeepAliveStartCommand) -> (Option<KeepAlive>, CommandResult) {
        if k.id == 0 && k.ttl <= 0 {
            return (None, Harness::bad_request("lease_keep_alive_start needs a lease id, or a ttl > 0 to grant one").result());
        }
        if k.id != 0 && k.ttl != 0 {
            return (None, Harness::bad_request("lease_keep_alive_start takes a lease id or a ttl, not both").result());
        }
        let call = now_ns();
        let client = &mut self.client;
        let r = bounded(self.request_timeout, async {
            let (id, granted) = if k.id == 0 {
                let g = client.lease_grant(k.ttl, None).await?;
                (g.id(), g.ttl())
            } else {
                (k.id, 0)
            };
            let (keeper, stream) = client.lease_keep_alive(id).await?;
            Ok((id, granted, keeper, stream))
        })
        .await;
        let ret = now_ns();
        let (id, granted, keeper, stream) = match r {
            Ok(v) => v,
            Err(f) => return (None, f.result(call, ret, "no keep-alive stream from the SDK")),
        };
        let (changed, _) = watch::channel(0u64);
        let shared = Arc::new(Shared { buf: Mutex::new(Buf::default()), changed });
        let (stop_tx, stop_rx) = oneshot::channel();
        let first = if granted > 0 { interval_for(granted) } else { FIRST_RENEWAL };
        let task = tokio::spawn(run(keeper, stream, first, shared.clone(), stop_rx, self.closed.clone()));
        let ka = KeepAlive { shared, stop: Some(stop_tx), task };
        (Some(ka), ok_result(call, ret, Payload::LeaseKeepAliveStart(pb::LeaseKeepAliveStartResult { id, ttl: granted })))
    }
}

/// Renews every TTL/3 and records every response until the stream ends, the
/// handle is stopped or the client is disconnected.
async fn run(
    mut keeper: LeaseKeeper,
    mut stream: LeaseKeepAliveStream,
    first: Duration,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
    mut closed: watch::Receiver<bool>,
) {
    let mut interval = first;
    let mut next = Instant::now() + first;
    loop {
        tokio::select! {
            _ = sleep_until(next) => {
                if let Err(e) = keeper.keep_alive().await {
                    shared.end(Some(map_error(&e)));
                    return;
                }
                if interval.is_zero() {
                    // No TTL known yet: wait for the response before the next renewal.
                    interval = Duration::from_millis(500);
                }
                next = Instant::now() + interval;
            }
            msg = stream.message() => match msg {
                Ok(Some(resp)) => {
                    let ttl = resp.ttl();
                    let received = now_ns();
                    shared.update(|b| {
                        b.responses.push(pb::KeepAliveResponse { ttl, received_ns: received, header: convert::header(resp.header()) });
                    });
                    if ttl <= 0 {
                        // etcd's answer for a lease that no longer exists: the end.
                        shared.end(None);
                        return;
                    }
                    let wanted = interval_for(ttl);
                    if wanted != interval {
                        next = next.min(Instant::now() + wanted);
                        interval = wanted;
                    }
                }
                Ok(None) => {
                    shared.end(None);
                    return;
                }
                Err(e) => {
                    shared.end(Some(map_error(&e)));
                    return;
                }
            },
            _ = &mut stop => {
                shared.end(None);
                return;
            }
            _ = super::wait_closed(&mut closed) => {
                shared.end(None);
                return;
            }
        }
    }
}

impl KeepAlive {
    /// LeaseKeepAliveCollect: waits for min_responses responses (0: the whole
    /// timeout), the stream's end or the timeout; returns and clears the buffer.
    pub async fn collect(&self, c: &pb::LeaseKeepAliveCollectCommand) -> CommandResult {
        let wait = if c.timeout_ms == 0 { DEFAULT_COLLECT_TIMEOUT } else { Duration::from_millis(c.timeout_ms.into()) };
        let deadline = Instant::now() + wait;
        let mut changed = self.shared.changed.subscribe();
        let call = now_ns();
        loop {
            changed.borrow_and_update();
            let done = {
                let b = self.shared.buf.lock().unwrap_or_else(|p| p.into_inner());
                b.ended || (c.min_responses > 0 && b.responses.len() >= c.min_responses as usize)
            };
            if done {
                break;
            }
            tokio::select! {
                r = changed.changed() => if r.is_err() { break },
                _ = sleep_until(deadline) => break,
            }
        }
        let ret = now_ns();
        let mut b = self.shared.buf.lock().unwrap_or_else(|p| p.into_inner());
        let res = pb::LeaseKeepAliveCollectResult {
            responses: std::mem::take(&mut b.responses),
            ended: b.ended,
            end_error: b.end_error.clone(),
        };
        ok_result(call, ret, Payload::LeaseKeepAliveCollect(res))
    }

    /// LeaseKeepAliveStop: ends the task (dropping the keeper and the stream closes
    /// the SDK's keep-alive stream; the lease itself stays until its TTL runs out).
    pub async fn stop(mut self) -> CommandResult {
        let call = now_ns();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), &mut self.task).await;
        let ret = now_ns();
        ok_result(call, ret, Payload::LeaseKeepAliveStop(pb::LeaseKeepAliveStopResult {}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewals_every_third_of_the_ttl() {
        assert_eq!(interval_for(2), Duration::from_millis(666));
        assert_eq!(interval_for(30), Duration::from_secs(10));
        assert_eq!(interval_for(0), MIN_INTERVAL);
        assert_eq!(interval_for(-1), MIN_INTERVAL);
    }
}
