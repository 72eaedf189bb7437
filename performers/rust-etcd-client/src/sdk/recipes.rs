//! The crate's concurrency recipes: LockClient (etcd's server-side v3lock service:
//! `Client::lock(name, LockOptions::with_lease)` blocks until `<name>/<lease id>` has the
//! lowest create revision, the layout of clientv3's concurrency.Mutex; `Client::unlock`)
//! and ElectionClient (etcd's v3election service: campaign, proclaim, leader, observe,
//! resign). Both take a lease; the crate has no session type, so the performer makes the
//! session itself from the crate's lease API: `Client::lease_grant(session_ttl)` and a task
//! renewing it with `LeaseKeeper::keep_alive` every TTL/3 (what clientv3's
//! concurrency.Session does), revoked when the recipe ends.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use etcd_client::{Client, LeaderKey, LockOptions, ProclaimOptions, ResignOptions};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{sleep, timeout, Instant};

use super::convert::{header, key_value};
use super::{bounded, ok_result, sdk_error_value_result, Failure, Harness, Session};
use crate::clock::now_ns;
use crate::pb::{self, command_ok::Payload, CommandResult};

const DEFAULT_SESSION_TTL: i64 = 60;
const DEFAULT_RECIPE_TIMEOUT: Duration = Duration::from_millis(10_000);
const DEFAULT_OBSERVE_COLLECT: Duration = Duration::from_millis(5_000);

fn or_ttl(ttl: i64) -> i64 {
    if ttl <= 0 {
        DEFAULT_SESSION_TTL
    } else {
        ttl
    }
}

fn or_timeout(ms: u32, def: Duration) -> Duration {
    if ms == 0 {
        def
    } else {
        Duration::from_millis(ms.into())
    }
}

/// The canonical error of a recipe call: etcd's v3lock / v3election services answer their
/// recipe errors (concurrency.ErrElectionNotLeader, ErrElectionNoLeader, ErrSessionExpired)
/// as gRPC UNKNOWN with the error's text, which the crate passes through as
/// Error::GRpcStatus; the text names the canonical code.
fn recipe_error(f: &Failure, what: &str) -> pb::SdkError {
    let mut e = f.error(what);
    let msg = e.message.to_lowercase();
    if msg.contains("election: not leader") {
        e.code = pb::ErrorCode::NotLeader as i32;
    } else if msg.contains("election: no leader") {
        e.code = pb::ErrorCode::NoLeader as i32;
    } else if msg.contains("session expired") {
        e.code = pb::ErrorCode::SessionExpired as i32;
    }
    e
}

fn recipe_result(call: i64, ret: i64, f: &Failure, what: &str) -> CommandResult {
    sdk_error_value_result(call, ret, recipe_error(f, what))
}

/// A lease of session_ttl seconds kept alive by a task until the session is closed.
pub struct RecipeSession {
    client: Client,
    pub lease: i64,
    task: JoinHandle<()>,
}

impl Drop for RecipeSession {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RecipeSession {
    /// Client::lease_grant(ttl), then Client::lease_keep_alive(id) renewed every TTL/3 by a task.
    async fn open(client: &Client, ttl: i64, limit: Duration) -> Result<RecipeSession, Failure> {
        let mut c = client.clone();
        let ttl = or_ttl(ttl);
        let (lease, keeper, stream) = bounded(limit, async {
            let g = c.lease_grant(ttl, None).await?;
            let (keeper, stream) = c.lease_keep_alive(g.id()).await?;
            Ok((g.id(), keeper, stream))
        })
        .await?;
        let every = Duration::from_millis((ttl as u64).saturating_mul(1000) / 3).max(Duration::from_millis(100));
        let task = tokio::spawn(async move {
            let (mut keeper, mut stream) = (keeper, stream);
            loop {
                sleep(every).await;
                if keeper.keep_alive().await.is_err() {
                    return;
                }
                match timeout(every, stream.message()).await {
                    Ok(Ok(Some(resp))) if resp.ttl() > 0 => {}
                    Ok(Err(_)) | Ok(Ok(_)) => return, // the lease is gone or the stream ended
                    Err(_) => {}                     // no answer yet: renew again next round
                }
            }
        });
        Ok(RecipeSession { client: client.clone(), lease, task })
    }

    /// Stops the renewals and revokes the lease (its keys go with it); bounded, best effort.
    async fn close(self, limit: Duration) {
        self.task.abort();
        let mut c = self.client.clone();
        let _ = timeout(limit, c.lease_revoke(self.lease)).await;
    }
}

/// A lock held through LockClient: its key and the session whose lease it is attached to.
pub struct Lock {
    session: RecipeSession,
    key: Vec<u8>,
}

/// A won campaign: the crate's LeaderKey (name, key, rev, lease) and the session.
pub struct Campaign {
    session: RecipeSession,
    leader: LeaderKey,
}

#[derive(Default)]
struct ObserveBuf {
    leaders: VecDeque<pb::KeyValue>,
    ended: bool,
}

/// A running ElectionClient::observe stream read by a task into a buffer.
pub struct Observer {
    buf: Arc<Mutex<ObserveBuf>>,
    changed: watch::Sender<u64>,
    task: JoinHandle<()>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Session {
    /// LockAcquire: a session, then Client::lock(name, with_lease(session lease)) under the
    /// command's timeout (the crate's lock blocks until held and has no timeout of its own;
    /// etcd's v3lock has no try-lock, so try_only is not supported: lock.try is not claimed).
    pub async fn lock_acquire(&mut self, c: &pb::LockAcquireCommand) -> (Option<Lock>, CommandResult) {
        if c.try_only {
            return (
                None,
                Harness::unimplemented(
                    "lock_acquire try_only: not supported (capability lock.try not claimed: etcd-client's \
                     LockClient::lock calls etcd's v3lock Lock, which blocks until held; there is no try-lock)",
                )
                .result(),
            );
        }
        let call = now_ns();
        let session = match RecipeSession::open(&self.client, c.session_ttl, self.call_limit).await {
            Ok(s) => s,
            Err(f) => return (None, recipe_result(call, now_ns(), &f, "no session lease from the SDK")),
        };
        let wait = or_timeout(c.timeout_ms, DEFAULT_RECIPE_TIMEOUT);
        let lease = session.lease;
        let r = bounded(wait, self.client.lock(c.name.clone(), Some(LockOptions::new().with_lease(lease)))).await;
        let resp = match r {
            Ok(resp) => resp,
            Err(f) => {
                let ret = now_ns();
                session.close(self.request_timeout).await;
                return (None, recipe_result(call, ret, &f, "the lock was not acquired"));
            }
        };
        let key = resp.key().to_vec();
        // The key's create revision (the fencing token): LockResponse carries only the key.
        let got = bounded(self.call_limit, self.client.get(key.clone(), None)).await;
        let ret = now_ns();
        let create_revision = match got {
            Ok(g) => match g.kvs().first() {
                Some(kv) => kv.create_revision(),
                None => {
                    session.close(self.request_timeout).await;
                    let e = pb::SdkError {
                        code: pb::ErrorCode::SessionExpired as i32,
                        sdk_type: "etcd_client::LockResponse".into(),
                        message: "the lock key was gone right after Lock returned (the session lease ended)".into(),
                        grpc_code: -1,
                        typed: false,
                    };
                    return (None, sdk_error_value_result(call, ret, e));
                }
            },
            Err(f) => {
                session.close(self.request_timeout).await;
                return (None, recipe_result(call, ret, &f, "no answer reading the lock key"));
            }
        };
        let out = pb::LockAcquireResult { acquired: true, key: key.clone(), create_revision, lease, header: header(resp.header()) };
        (Some(Lock { session, key }), ok_result(call, ret, Payload::LockAcquire(out)))
    }

    /// LockRelease: Client::unlock(key) (deletes the key), then the session's lease is revoked.
    pub async fn lock_release(&mut self, l: Lock) -> CommandResult {
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.unlock(l.key.clone())).await;
        let ret = now_ns();
        l.session.close(self.request_timeout).await;
        match r {
            Ok(resp) => ok_result(call, ret, Payload::LockRelease(pb::LockReleaseResult { released: true, header: header(resp.header()) })),
            Err(f) => recipe_result(call, ret, &f, "no answer to Unlock"),
        }
    }

    /// ElectionCampaign: a session, then Client::campaign(name, value, lease), which blocks
    /// until this campaigner leads, under the command's timeout.
    pub async fn campaign(&mut self, c: &pb::ElectionCampaignCommand) -> (Option<Campaign>, CommandResult) {
        let call = now_ns();
        let session = match RecipeSession::open(&self.client, c.session_ttl, self.call_limit).await {
            Ok(s) => s,
            Err(f) => return (None, recipe_result(call, now_ns(), &f, "no session lease from the SDK")),
        };
        let wait = or_timeout(c.timeout_ms, DEFAULT_RECIPE_TIMEOUT);
        let r = bounded(wait, self.client.campaign(c.name.clone(), c.value.clone(), session.lease)).await;
        let ret = now_ns();
        let resp = match r {
            Ok(resp) => resp,
            Err(f) => {
                session.close(self.request_timeout).await;
                return (None, recipe_result(call, ret, &f, "the campaign was not won"));
            }
        };
        let Some(leader) = resp.leader().cloned() else {
            session.close(self.request_timeout).await;
            return (None, Harness::internal("CampaignResponse without a leader key").result());
        };
        let out = pb::ElectionCampaignResult {
            key: leader.key().to_vec(),
            create_revision: leader.rev(),
            lease: session.lease,
            header: header(resp.header()),
        };
        (Some(Campaign { session, leader }), ok_result(call, ret, Payload::ElectionCampaign(out)))
    }

    /// ElectionProclaim: Client::proclaim(value, with_leader(the campaign's LeaderKey)).
    pub async fn proclaim(&mut self, cp: &Campaign, c: &pb::ElectionProclaimCommand) -> CommandResult {
        let call = now_ns();
        let opts = ProclaimOptions::new().with_leader(cp.leader.clone());
        let r = bounded(self.call_limit, self.client.proclaim(c.value.clone(), Some(opts))).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(call, ret, Payload::ElectionProclaim(pb::ElectionProclaimResult { header: header(resp.header()) })),
            Err(f) => recipe_result(call, ret, &f, "no answer to Proclaim"),
        }
    }

    /// ElectionResign: Client::resign(with_leader(the LeaderKey)), then the session ends.
    pub async fn resign(&mut self, cp: Campaign) -> CommandResult {
        let call = now_ns();
        let opts = ResignOptions::new().with_leader(cp.leader.clone());
        let r = bounded(self.call_limit, self.client.resign(Some(opts))).await;
        let ret = now_ns();
        cp.session.close(self.request_timeout).await;
        match r {
            Ok(resp) => ok_result(call, ret, Payload::ElectionResign(pb::ElectionResignResult { header: header(resp.header()) })),
            Err(f) => recipe_result(call, ret, &f, "no answer to Resign"),
        }
    }

    /// ElectionLeader: Client::leader(name) (the campaign's name with a handle); v3election's
    /// Leader needs no session.
    pub async fn leader(&mut self, name: Vec<u8>) -> CommandResult {
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.leader(name)).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(
                call,
                ret,
                Payload::ElectionLeader(pb::ElectionLeaderResult { leader: resp.kv().map(key_value), header: header(resp.header()) }),
            ),
            Err(f) => recipe_result(call, ret, &f, "no answer to Leader"),
        }
    }

    /// ElectionObserveStart: Client::observe(name) and a task buffering each leader it reports.
    pub async fn observe_start(&mut self, c: &pb::ElectionObserveStartCommand) -> (Option<Observer>, CommandResult) {
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.observe(c.name.clone())).await;
        let ret = now_ns();
        let mut stream = match r {
            Ok(s) => s,
            Err(f) => return (None, recipe_result(call, ret, &f, "no observe stream from the SDK")),
        };
        let buf = Arc::new(Mutex::new(ObserveBuf::default()));
        let (changed, _) = watch::channel(0u64);
        let (b, tx) = (buf.clone(), changed.clone());
        let mut closed = self.closed.clone();
        let task = tokio::spawn(async move {
            loop {
                let msg = tokio::select! {
                    m = stream.message() => m,
                    _ = super::wait_closed(&mut closed) => Ok(None),
                };
                let mut g = b.lock().unwrap_or_else(|p| p.into_inner());
                match msg {
                    Ok(Some(resp)) => {
                        if let Some(kv) = resp.kv() {
                            g.leaders.push_back(key_value(kv));
                        }
                    }
                    Ok(None) | Err(_) => {
                        g.ended = true;
                        drop(g);
                        tx.send_modify(|n| *n += 1);
                        return;
                    }
                }
                drop(g);
                tx.send_modify(|n| *n += 1);
            }
        });
        (Some(Observer { buf, changed, task }), ok_result(call, ret, Payload::ElectionObserveStart(pb::ElectionObserveStartResult {})))
    }
}

impl Campaign {
    pub fn name(&self) -> Vec<u8> {
        self.leader.name().to_vec()
    }
}

impl Observer {
    /// ElectionObserveCollect: waits for min_leaders leaders (0: the whole timeout), the
    /// stream's end or the timeout; returns and clears the buffer.
    pub async fn collect(&self, c: &pb::ElectionObserveCollectCommand) -> CommandResult {
        let deadline = Instant::now() + or_timeout(c.timeout_ms, DEFAULT_OBSERVE_COLLECT);
        let mut changed = self.changed.subscribe();
        let call = now_ns();
        loop {
            changed.borrow_and_update();
            let done = {
                let b = self.buf.lock().unwrap_or_else(|p| p.into_inner());
                b.ended || (c.min_leaders > 0 && b.leaders.len() >= c.min_leaders as usize)
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
        let mut b = self.buf.lock().unwrap_or_else(|p| p.into_inner());
        let out = pb::ElectionObserveCollectResult { leaders: b.leaders.drain(..).collect(), ended: b.ended };
        ok_result(call, ret, Payload::ElectionObserveCollect(out))
    }
}

/// Closes every session a client's recipes hold (at Disconnect), without waiting long.
pub async fn close_all(locks: Vec<Lock>, campaigns: Vec<Campaign>, limit: Duration) {
    for l in locks {
        l.session.close(limit).await;
    }
    for c in campaigns {
        c.session.close(limit).await;
    }
}
