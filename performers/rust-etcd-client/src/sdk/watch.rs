//! Watches: one etcd-client watch per handle, whose responses a task buffers until
//! WatchCollect takes them.
//!
//! The SDK's watch API changed in 0.18 (selected at build time by the
//! `sdk-watch-legacy` feature, see build.sh):
//! * < 0.18: `Client::watch` returns `(Watcher, WatchStream)` once the SDK itself
//!   has read the server's created response; `Watcher::cancel` cancels it.
//! * >= 0.18: `Client::watch` returns a bare `WatchStream`; the caller reads the
//!   created response itself (`WatchStream::message`) and cancels with
//!   `WatchStream::cancel(watch_id)`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use etcd_client::{Client, EventType, WatchResponse};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{timeout, Instant};

use super::{convert, ok_result, opts, sdk_error_result, Session};
use crate::clock::now_ns;
use crate::errors::{code_by_message, map_error};
use crate::pb::{self, command_ok::Payload, CommandResult, ErrorCode, SdkError};

/// WatchCollect's wait when timeout_ms is 0.
pub const DEFAULT_COLLECT_TIMEOUT: Duration = Duration::from_millis(5000);

#[derive(Default)]
struct Buf {
    events: Vec<pb::WatchEvent>,
    progress: Vec<i64>,
    ended: bool,
    end_error: Option<SdkError>,
    compact_revision: i64,
    /// Watch responses the SDK has handed over so far (WatchEvent.response numbers
    /// them from 1; with the >= 0.18 API the creation response is the first).
    responses: u64,
}

struct Shared {
    buf: Mutex<Buf>,
    /// Bumped whenever `buf` changes, so a collector can wait for a change.
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

    fn ended(&self) -> bool {
        self.buf.lock().unwrap_or_else(|p| p.into_inner()).ended
    }
}

type CancelReply = oneshot::Sender<Result<(), etcd_client::Error>>;

/// One live watch handle.
pub struct Watch {
    shared: Arc<Shared>,
    cancel_tx: mpsc::Sender<CancelReply>,
    task: JoinHandle<()>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        // Dropping the task drops the SDK's stream (and request sender), which
        // ends the gRPC watch stream.
        self.task.abort();
    }
}

/// The SDK's stream and whatever cancels a watch on it.
#[cfg(feature = "sdk-watch-legacy")]
struct SdkWatch {
    watcher: etcd_client::Watcher,
    stream: etcd_client::WatchStream,
}

#[cfg(not(feature = "sdk-watch-legacy"))]
struct SdkWatch {
    watch_id: i64,
    stream: etcd_client::WatchStream,
}

impl SdkWatch {
    async fn message(&mut self) -> Result<Option<WatchResponse>, etcd_client::Error> {
        self.stream.message().await
    }

    #[cfg(feature = "sdk-watch-legacy")]
    async fn cancel(&mut self) -> Result<(), etcd_client::Error> {
        self.watcher.cancel().await
    }

    #[cfg(not(feature = "sdk-watch-legacy"))]
    async fn cancel(&mut self) -> Result<(), etcd_client::Error> {
        self.stream.cancel(self.watch_id).await
    }
}

/// What opening a watch through the SDK gave: the watch, and a first response
/// the performer must still record (new API: a first response that was not the
/// plain creation confirmation).
enum Opened {
    Live(SdkWatch, Option<WatchResponse>),
    /// The stream ended before the server confirmed the watch (with the legacy
    /// API the SDK reports that itself, as WatchError).
    #[cfg_attr(feature = "sdk-watch-legacy", allow(dead_code))]
    Closed,
}

#[cfg(feature = "sdk-watch-legacy")]
async fn open(client: &mut Client, key: Vec<u8>, options: etcd_client::WatchOptions) -> Result<Opened, etcd_client::Error> {
    // The SDK reads the created response itself before returning.
    let (watcher, stream) = client.watch(key, Some(options)).await?;
    Ok(Opened::Live(SdkWatch { watcher, stream }, None))
}

#[cfg(not(feature = "sdk-watch-legacy"))]
async fn open(client: &mut Client, key: Vec<u8>, options: etcd_client::WatchOptions) -> Result<Opened, etcd_client::Error> {
    let mut stream = client.watch(key, Some(options)).await?;
    // The first response confirms creation (or refuses it: created + canceled).
    match stream.message().await? {
        None => Ok(Opened::Closed),
        Some(first) => {
            let watch_id = first.watch_id();
            let keep = if first.created() && !first.canceled() && first.events().is_empty() {
                None
            } else {
                Some(first)
            };
            Ok(Opened::Live(SdkWatch { watch_id, stream }, keep))
        }
    }
}

impl Session {
    /// WatchStart: opens the watch and returns once the server has confirmed it
    /// (or the watch already ended), so a write issued after it is never missed.
    pub async fn watch_start(&mut self, w: &pb::WatchStartCommand) -> (Option<Watch>, CommandResult) {
        let options = match opts::watch_options(w) {
            Ok(o) => o,
            Err(h) => return (None, h.result()),
        };
        let call = now_ns();
        let opened = timeout(self.request_timeout, open(&mut self.client, w.key.clone(), options)).await;
        let ret = now_ns();
        let (sdk_watch, first) = match opened {
            Err(_) => return (None, deadline_result(call, ret, self.request_timeout)),
            Ok(Err(e)) => return (None, sdk_error_result(call, ret, &e)),
            Ok(Ok(Opened::Closed)) => {
                let err = SdkError {
                    code: ErrorCode::Unknown as i32,
                    sdk_type: "etcd_client::WatchStream".into(),
                    message: "watch stream ended before the server confirmed the watch".into(),
                    grpc_code: -1,
                    typed: true,
                };
                return (None, super::sdk_error_value_result(call, ret, err));
            }
            Ok(Ok(Opened::Live(s, first))) => (s, first),
        };

        let (changed, _) = watch::channel(0u64);
        // >= 0.18: the creation response was handed over (and read) as response 1.
        let handed = if cfg!(feature = "sdk-watch-legacy") { 0 } else { 1 };
        let buf = Buf { responses: handed, ..Buf::default() };
        let shared = Arc::new(Shared { buf: Mutex::new(buf), changed });
        if let Some(first) = first {
            // A first response that was more than the creation confirmation: it is
            // response 1 itself, not one after it.
            shared.update(|b| b.responses = 0);
            record(&shared, &first);
        }
        let (cancel_tx, cancel_rx) = mpsc::channel(1);
        let task = tokio::spawn(pump(sdk_watch, shared.clone(), cancel_rx, self.closed.clone()));
        let watch = Watch { shared, cancel_tx, task };
        (Some(watch), ok_result(call, ret, Payload::WatchStart(pb::WatchStartResult {})))
    }
}

fn deadline_result(call: i64, ret: i64, after: Duration) -> CommandResult {
    super::sdk_error_value_result(call, ret, super::deadline_error("no watch creation response from the SDK", after))
}

/// Reads the SDK's stream until it ends, the server cancels the watch, or the
/// client is disconnected; serves cancel requests in between.
async fn pump(
    mut sdk: SdkWatch,
    shared: Arc<Shared>,
    mut cancel_rx: mpsc::Receiver<CancelReply>,
    mut closed: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            msg = sdk.message() => match msg {
                Ok(Some(resp)) => {
                    if record(&shared, &resp) {
                        return;
                    }
                }
                Ok(None) => {
                    shared.update(|b| b.ended = true);
                    return;
                }
                Err(e) => {
                    let err = map_error(&e);
                    shared.update(|b| {
                        b.ended = true;
                        b.end_error.get_or_insert(err);
                    });
                    return;
                }
            },
            Some(reply) = cancel_rx.recv() => {
                let r = sdk.cancel().await;
                let failed = r.is_err();
                let _ = reply.send(r);
                if failed {
                    shared.update(|b| b.ended = true);
                    return;
                }
            }
            _ = super::wait_closed(&mut closed) => {
                shared.update(|b| b.ended = true);
                return;
            }
        }
    }
}

/// Records one watch response; true when it ended the watch.
fn record(shared: &Shared, resp: &WatchResponse) -> bool {
    let progress = resp.events().is_empty()
        && !resp.created()
        && !resp.canceled()
        && resp.compact_revision() == 0
        && resp.header().map(|h| h.revision() != 0).unwrap_or(false);
    let mut ended = false;
    shared.update(|b| {
        b.responses += 1;
        let seq = b.responses;
        if progress {
            if let Some(h) = resp.header() {
                b.progress.push(h.revision());
            }
        }
        for ev in resp.events() {
            let event_type = match ev.event_type() {
                EventType::Put => pb::EventType::Put,
                EventType::Delete => pb::EventType::Delete,
            };
            b.events.push(pb::WatchEvent {
                r#type: event_type as i32,
                kv: ev.kv().map(convert::key_value),
                prev_kv: ev.prev_kv().map(convert::key_value),
                response: seq,
            });
        }
        if resp.canceled() || resp.compact_revision() != 0 {
            b.ended = true;
            ended = true;
            if resp.compact_revision() != 0 {
                b.compact_revision = resp.compact_revision();
                b.end_error.get_or_insert_with(|| compacted_error(resp));
            } else if !resp.cancel_reason().is_empty() {
                let reason = resp.cancel_reason();
                b.end_error.get_or_insert_with(|| SdkError {
                    code: code_by_message(reason).unwrap_or(ErrorCode::Unknown) as i32,
                    sdk_type: "etcd_client::WatchResponse".into(),
                    message: reason.to_string(),
                    grpc_code: -1,
                    typed: true,
                });
            }
        }
    });
    ended
}

/// The SDK has no error for a compacted watch: it hands over the server's
/// WatchResponse (canceled, compact_revision set, usually no cancel_reason).
fn compacted_error(resp: &WatchResponse) -> SdkError {
    let message = if resp.cancel_reason().is_empty() {
        format!(
            "watch canceled by the server: required revision has been compacted (WatchResponse canceled={} compact_revision={}, empty cancel_reason)",
            resp.canceled(),
            resp.compact_revision()
        )
    } else {
        resp.cancel_reason().to_string()
    };
    // The SDK's own response type carries it (no raw transport error): typed.
    SdkError {
        code: ErrorCode::Compacted as i32,
        sdk_type: "etcd_client::WatchResponse".into(),
        message,
        grpc_code: -1,
        typed: true,
    }
}

impl Watch {
    /// WatchCollect: waits until min_events events are buffered (0: no threshold,
    /// wait the whole timeout), the watch ended, or the timeout passed; then
    /// returns and clears the buffer.
    pub async fn collect(&self, c: &pb::WatchCollectCommand) -> CommandResult {
        let wait = if c.timeout_ms == 0 { DEFAULT_COLLECT_TIMEOUT } else { Duration::from_millis(c.timeout_ms.into()) };
        let deadline = Instant::now() + wait;
        let mut changed = self.shared.changed.subscribe();
        let call = now_ns();
        loop {
            changed.borrow_and_update();
            let done = {
                let b = self.shared.buf.lock().unwrap_or_else(|p| p.into_inner());
                b.ended || (c.min_events > 0 && b.events.len() >= c.min_events as usize)
            };
            if done {
                break;
            }
            tokio::select! {
                r = changed.changed() => if r.is_err() { break },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        let ret = now_ns();
        let mut b = self.shared.buf.lock().unwrap_or_else(|p| p.into_inner());
        let res = pb::WatchCollectResult {
            events: std::mem::take(&mut b.events),
            ended: b.ended,
            end_error: b.end_error.clone(),
            compact_revision: b.compact_revision,
            progress_revisions: std::mem::take(&mut b.progress),
            // etcd-client surfaces no error that leaves a watch running: an error on
            // its stream ends the watch (end_error).
            errors: Vec::new(),
        };
        ok_result(call, ret, Payload::WatchCollect(res))
    }

    /// WatchCancel: cancels through the SDK (Watcher::cancel / WatchStream::cancel),
    /// then waits up to `wait` for the server's canceled response; dropping the
    /// Watch afterwards closes the stream.
    pub async fn cancel(self, wait: Duration) -> CommandResult {
        let (tx, rx) = oneshot::channel();
        let call = now_ns();
        let sent = self.cancel_tx.send(tx).await.is_ok();
        let result = if sent { rx.await.ok() } else { None };
        let ret = now_ns();
        if let Some(Err(e)) = result {
            return sdk_error_result(call, ret, &e);
        }
        // None: the watch had already ended (its task is gone); nothing left to cancel.
        let deadline = Instant::now() + wait;
        let mut changed = self.shared.changed.subscribe();
        while !self.shared.ended() {
            tokio::select! {
                r = changed.changed() => if r.is_err() { break },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        ok_result(call, ret, Payload::WatchCancel(pb::WatchCancelResult {}))
    }
}
