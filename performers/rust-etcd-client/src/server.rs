//! The performer's protocol loop: the gRPC PerformerService (Describe / Connect /
//! Disconnect / Execute / ExecuteStream), the client registry and each client's
//! registries of watches, keep-alives and recipe handles (locks, campaigns, observers).
//! The SDK work itself is in crate::sdk.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::{watch as signal, Mutex as AsyncMutex};
use tonic::{Request, Response, Status};

use crate::capabilities::capabilities;
use crate::clock::now_ns;
use crate::pb::performer_service_server::{PerformerService, PerformerServiceServer};
use crate::pb::{self, command::Command, command_result::Outcome, CommandResult};
use crate::sdk::keepalive::KeepAlive;
use crate::sdk::recipes::{self, Campaign, Lock, Observer};
use crate::sdk::watch::Watch;
use crate::sdk::{Config, Harness, Session};

pub const NAME: &str = "rust-etcd-client";
pub const LANGUAGE: &str = "rust";
pub const SDK_PACKAGE: &str = "etcd-client";
pub const PERFORMER_VERSION: &str = "0.1.0";
/// The etcd-client version resolved in the build's Cargo.lock (see build.rs).
pub const SDK_VERSION: &str = env!("ETCD_CLIENT_VERSION");
/// Lets the driver send and receive large values: the SDK and etcd, not this hop,
/// decide what is too large.
const MAX_MSG_SIZE: usize = 64 << 20;

/// One Connect: the SDK session (used by one Execute at a time) and the signal
/// that ends everything it runs when the client is disconnected.
struct ClientState {
    id: String,
    exec: AsyncMutex<Exec>,
    close: signal::Sender<bool>,
}

/// What an Execute works with, under the client's exec lock.
struct Exec {
    session: Session,
    watches: HashMap<String, Watch>,
    keepalives: HashMap<String, KeepAlive>,
    locks: HashMap<String, Lock>,
    campaigns: HashMap<String, Campaign>,
    observers: HashMap<String, Observer>,
}

impl Exec {
    fn new(session: Session) -> Exec {
        Exec {
            session,
            watches: HashMap::new(),
            keepalives: HashMap::new(),
            locks: HashMap::new(),
            campaigns: HashMap::new(),
            observers: HashMap::new(),
        }
    }
}

#[derive(Default)]
pub struct Performer {
    clients: Mutex<HashMap<String, Arc<ClientState>>>,
    next_id: AtomicU64,
}

impl Performer {
    fn client(&self, id: &str) -> Option<Arc<ClientState>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner()).get(id).cloned()
    }

    /// Disconnects every client (at shutdown).
    pub fn close_all(&self) {
        let all: Vec<_> = self.clients.lock().unwrap_or_else(|p| p.into_inner()).drain().collect();
        for (_, cs) in all {
            let _ = cs.close.send(true);
        }
    }
}

/// The oneof field name of a command, for logs.
fn command_name(cmd: &Option<Command>) -> &'static str {
    match cmd {
        None => "empty",
        Some(Command::Put(_)) => "put",
        Some(Command::Range(_)) => "range",
        Some(Command::DeleteRange(_)) => "delete_range",
        Some(Command::Txn(_)) => "txn",
        Some(Command::Compact(_)) => "compact",
        Some(Command::LeaseGrant(_)) => "lease_grant",
        Some(Command::LeaseRevoke(_)) => "lease_revoke",
        Some(Command::LeaseTimeToLive(_)) => "lease_time_to_live",
        Some(Command::LeaseLeases(_)) => "lease_leases",
        Some(Command::LeaseKeepAliveOnce(_)) => "lease_keep_alive_once",
        Some(Command::WatchStart(_)) => "watch_start",
        Some(Command::WatchCollect(_)) => "watch_collect",
        Some(Command::WatchCancel(_)) => "watch_cancel",
        Some(Command::Status(_)) => "status",
        Some(Command::LeaseKeepAliveStart(_)) => "lease_keep_alive_start",
        Some(Command::LeaseKeepAliveCollect(_)) => "lease_keep_alive_collect",
        Some(Command::LeaseKeepAliveStop(_)) => "lease_keep_alive_stop",
        Some(Command::Signal(_)) => "signal",
        Some(Command::Wait(_)) => "wait",
        Some(Command::LockAcquire(_)) => "lock_acquire",
        Some(Command::LockRelease(_)) => "lock_release",
        Some(Command::ElectionCampaign(_)) => "election_campaign",
        Some(Command::ElectionProclaim(_)) => "election_proclaim",
        Some(Command::ElectionLeader(_)) => "election_leader",
        Some(Command::ElectionObserveStart(_)) => "election_observe_start",
        Some(Command::ElectionObserveCollect(_)) => "election_observe_collect",
        Some(Command::ElectionResign(_)) => "election_resign",
        #[allow(unreachable_patterns)]
        Some(_) => "other",
    }
}

/// Runs one command against the client's session and watch registry.
async fn run_one(exec: &mut Exec, cmd: &Option<Command>) -> CommandResult {
    let Some(cmd) = cmd else {
        return Harness::bad_request("command has no operation set (empty oneof)").result();
    };
    match cmd {
        Command::WatchStart(w) => {
            if w.handle.is_empty() {
                return Harness::bad_request("watch_start needs a handle").result();
            }
            if exec.watches.contains_key(&w.handle) {
                return Harness::bad_request(format!("watch handle {:?} is already live on this client", w.handle)).result();
            }
            let (watch, res) = exec.session.watch_start(w).await;
            if let Some(watch) = watch {
                exec.watches.insert(w.handle.clone(), watch);
            }
            res
        }
        Command::WatchCollect(c) => match exec.watches.get(&c.handle) {
            Some(w) => w.collect(c).await,
            None => Harness::bad_request(format!("unknown watch handle {:?}", c.handle)).result(),
        },
        Command::WatchCancel(c) => match exec.watches.remove(&c.handle) {
            Some(w) => w.cancel(exec.session.request_timeout).await,
            None => Harness::bad_request(format!("unknown watch handle {:?}", c.handle)).result(),
        },
        Command::LeaseKeepAliveStart(k) => {
            if k.handle.is_empty() {
                return Harness::bad_request("lease_keep_alive_start needs a handle").result();
            }
            if exec.keepalives.contains_key(&k.handle) {
                return Harness::bad_request(format!("keep-alive handle {:?} is already live on this client", k.handle)).result();
            }
            let (ka, res) = exec.session.keep_alive_start(k).await;
            if let Some(ka) = ka {
                exec.keepalives.insert(k.handle.clone(), ka);
            }
            res
        }
        Command::LeaseKeepAliveCollect(c) => match exec.keepalives.get(&c.handle) {
            Some(ka) => ka.collect(c).await,
            None => Harness::bad_request(format!("unknown keep-alive handle {:?}", c.handle)).result(),
        },
        Command::LeaseKeepAliveStop(s) => match exec.keepalives.remove(&s.handle) {
            Some(ka) => ka.stop().await,
            None => Harness::bad_request(format!("unknown keep-alive handle {:?}", s.handle)).result(),
        },
        Command::Signal(_) | Command::Wait(_) => {
            Harness::bad_request("signal and wait run only in ExecuteStream programs (latches need the stream)").result()
        }
        Command::LockAcquire(l) => {
            if l.handle.is_empty() || exec.locks.contains_key(&l.handle) {
                return Harness::bad_request(format!("lock_acquire needs a handle that is not live (got {:?})", l.handle)).result();
            }
            let (lock, res) = exec.session.lock_acquire(l).await;
            if let Some(lock) = lock {
                exec.locks.insert(l.handle.clone(), lock);
            }
            res
        }
        Command::LockRelease(l) => match exec.locks.remove(&l.handle) {
            Some(lock) => exec.session.lock_release(lock).await,
            None => Harness::bad_request(format!("unknown lock handle {:?}", l.handle)).result(),
        },
        Command::ElectionCampaign(c) => {
            if c.handle.is_empty() || exec.campaigns.contains_key(&c.handle) {
                return Harness::bad_request(format!("election_campaign needs a handle that is not live (got {:?})", c.handle)).result();
            }
            let (cp, res) = exec.session.campaign(c).await;
            if let Some(cp) = cp {
                exec.campaigns.insert(c.handle.clone(), cp);
            }
            res
        }
        Command::ElectionProclaim(p) => match exec.campaigns.get(&p.handle) {
            Some(cp) => exec.session.proclaim(cp, p).await,
            None => Harness::bad_request(format!("unknown campaign handle {:?}", p.handle)).result(),
        },
        Command::ElectionLeader(l) => {
            if l.handle.is_empty() {
                exec.session.leader(l.name.clone()).await
            } else {
                match exec.campaigns.get(&l.handle) {
                    Some(cp) => {
                        let name = cp.name();
                        exec.session.leader(name).await
                    }
                    None => Harness::bad_request(format!("unknown campaign handle {:?}", l.handle)).result(),
                }
            }
        }
        Command::ElectionResign(r) => match exec.campaigns.remove(&r.handle) {
            Some(cp) => exec.session.resign(cp).await,
            None => Harness::bad_request(format!("unknown campaign handle {:?}", r.handle)).result(),
        },
        Command::ElectionObserveStart(o) => {
            if o.handle.is_empty() || exec.observers.contains_key(&o.handle) {
                return Harness::bad_request(format!("election_observe_start needs a handle that is not live (got {:?})", o.handle)).result();
            }
            let (obs, res) = exec.session.observe_start(o).await;
            if let Some(obs) = obs {
                exec.observers.insert(o.handle.clone(), obs);
            }
            res
        }
        Command::ElectionObserveCollect(c) => match exec.observers.get(&c.handle) {
            Some(o) => o.collect(c).await,
            None => Harness::bad_request(format!("unknown observer handle {:?}", c.handle)).result(),
        },
        other => exec.session.run(other).await,
    }
}

/// One stream's latches: released names, and whether the driver's side has ended.
#[derive(Default)]
struct Latches {
    released: HashSet<String>,
    ended: bool,
}

/// Runs a Wait: true once the latch is released, false on the timeout or the stream's end.
async fn wait_latch(latches: &mut signal::Receiver<Latches>, latch: &str, timeout_ms: u32) -> bool {
    let wait = Duration::from_millis(if timeout_ms == 0 { 10_000 } else { timeout_ms.into() });
    match tokio::time::timeout(wait, latches.wait_for(|l| l.released.contains(latch) || l.ended)).await {
        Ok(Ok(l)) => l.released.contains(latch),
        _ => false,
    }
}

/// The body of one ExecuteStream program: each command's result is sent as it completes.
async fn run_stream(
    performer: Arc<Performer>,
    req: pb::ExecuteRequest,
    mut latches: signal::Receiver<Latches>,
    tx: tokio::sync::mpsc::Sender<Result<pb::ExecuteStreamResponse, Status>>,
) {
    use pb::execute_stream_response::Response as R;
    let cmds = req.program.map(|p| p.commands).unwrap_or_default();
    let send = |r: R| {
        let tx = tx.clone();
        async move { tx.send(Ok(pb::ExecuteStreamResponse { response: Some(r) })).await.is_ok() }
    };
    let Some(cs) = performer.client(&req.client_id) else {
        let msg = format!("unknown client id {:?}", req.client_id);
        for i in 0..cmds.len() {
            let r = Harness::bad_request(msg.clone()).result();
            if !send(R::Result(pb::StreamedResult { index: i as u32, result: Some(r) })).await {
                return;
            }
        }
        send(R::Done(pb::ProgramDone {})).await;
        return;
    };
    let mut closed = cs.close.subscribe();
    let mut exec = cs.exec.lock().await;
    for (i, cmd) in cmds.iter().enumerate() {
        let r = match &cmd.command {
            Some(Command::Signal(s)) => {
                let call = now_ns();
                if !send(R::Signalled(pb::LatchSignalled { latch: s.latch.clone(), index: i as u32 })).await {
                    return;
                }
                crate::sdk::ok_result(call, now_ns(), pb::command_ok::Payload::Signal(pb::SignalResult {}))
            }
            Some(Command::Wait(w)) => {
                let call = now_ns();
                let released = wait_latch(&mut latches, &w.latch, w.timeout_ms).await;
                crate::sdk::ok_result(call, now_ns(), pb::command_ok::Payload::Wait(pb::WaitResult { released }))
            }
            _ => run_guarded(&mut exec, &cmd.command, &mut closed).await,
        };
        log_outcome(&cs.id, i, &cmd.command, &r);
        if !send(R::Result(pb::StreamedResult { index: i as u32, result: Some(r) })).await {
            return; // the driver is gone
        }
    }
    send(R::Done(pb::ProgramDone {})).await;
}

fn log_outcome(client: &str, i: usize, cmd: &Option<Command>, r: &CommandResult) {
    match &r.outcome {
        Some(Outcome::SdkError(e)) => logln!(
            "Execute client={} command={i} {}: sdk_error {:?} {}: {}",
            client,
            command_name(cmd),
            pb::ErrorCode::try_from(e.code).unwrap_or(pb::ErrorCode::Unspecified),
            e.sdk_type,
            e.message
        ),
        Some(Outcome::HarnessError(h)) => logln!(
            "Execute client={} command={i} {}: harness_error {:?}: {}",
            client,
            command_name(cmd),
            pb::harness_error::Kind::try_from(h.kind).unwrap_or(pb::harness_error::Kind::Unspecified),
            h.message
        ),
        _ => {}
    }
}

/// Runs one command, turning a panic into a harness INTERNAL error and a
/// disconnect during the call into a BAD_REQUEST.
async fn run_guarded(exec: &mut Exec, cmd: &Option<Command>, closed: &mut signal::Receiver<bool>) -> CommandResult {
    let call = now_ns();
    let fut = AssertUnwindSafe(run_one(exec, cmd)).catch_unwind();
    tokio::select! {
        r = fut => match r {
            Ok(res) => res,
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-string panic payload".to_string());
                logln!("panic in {}: {}", command_name(cmd), msg);
                Harness::internal(format!("panic in {}: {}", command_name(cmd), msg)).result()
            }
        },
        _ = crate::sdk::wait_closed(closed) => {
            let mut r = Harness::bad_request("the client was disconnected (Disconnect) during this program").result();
            r.call_ns = call;
            r
        }
    }
}

#[tonic::async_trait]
impl PerformerService for Arc<Performer> {
    async fn describe(&self, _req: Request<pb::DescribeRequest>) -> Result<Response<pb::DescribeResponse>, Status> {
        logln!("Describe");
        Ok(Response::new(pb::DescribeResponse {
            name: NAME.into(),
            language: LANGUAGE.into(),
            sdk_package: SDK_PACKAGE.into(),
            sdk_version: SDK_VERSION.into(),
            performer_version: PERFORMER_VERSION.into(),
            protocol_version: pb::ProtocolVersion::ProtocolVersion1 as i32,
            capabilities: capabilities(SDK_VERSION),
        }))
    }

    async fn connect(&self, req: Request<pb::ConnectRequest>) -> Result<Response<pb::ConnectResponse>, Status> {
        let req = req.into_inner();
        logln!(
            "Connect endpoints={:?} dial_timeout_ms={} request_timeout_ms={} auth={} tls={} keepalive_time_ms={} keepalive_timeout_ms={} block={} auto_sync_ms={}",
            req.endpoints,
            req.dial_timeout_ms,
            req.request_timeout_ms,
            !req.username.is_empty(),
            !req.tls_ca_pem.is_empty(),
            req.keepalive_time_ms,
            req.keepalive_timeout_ms,
            req.block_until_connected,
            req.auto_sync_interval_ms
        );
        if req.endpoints.is_empty() {
            return Err(Status::invalid_argument("cannot build the SDK client: no endpoints given"));
        }
        // Options behind capabilities this SDK has no setting for (see capabilities.rs).
        if req.block_until_connected {
            return Err(Status::invalid_argument(
                "block_until_connected: not supported (capability connect.block not claimed: etcd-client's \
                 Client::connect has no blocking option; its balanced channel dials on first use)",
            ));
        }
        if req.auto_sync_interval_ms != 0 {
            return Err(Status::invalid_argument(
                "auto_sync_interval_ms: not supported (capability connect.auto_sync not claimed: etcd-client \
                 has no member-list auto-sync)",
            ));
        }
        if req.tls_ca_pem.is_empty() && (!req.tls_cert_pem.is_empty() || !req.tls_server_name.is_empty()) {
            return Err(Status::invalid_argument(
                "tls_cert_pem/tls_server_name without tls_ca_pem: TLS settings need the CA (protocol: empty CA is plaintext)",
            ));
        }
        if req.tls_cert_pem.is_empty() != req.tls_key_pem.is_empty() {
            return Err(Status::invalid_argument("tls_cert_pem and tls_key_pem: both or neither"));
        }
        let cfg = Config {
            endpoints: req.endpoints,
            dial_timeout: Duration::from_millis(req.dial_timeout_ms.into()),
            request_timeout: Duration::from_millis(req.request_timeout_ms.into()),
            username: req.username,
            password: req.password,
            keepalive_time: Duration::from_millis(req.keepalive_time_ms.into()),
            keepalive_timeout: Duration::from_millis(req.keepalive_timeout_ms.into()),
            tls_ca_pem: req.tls_ca_pem,
            tls_cert_pem: req.tls_cert_pem,
            tls_key_pem: req.tls_key_pem,
            tls_server_name: req.tls_server_name,
        };
        let (close, closed) = signal::channel(false);
        let call_ns = now_ns();
        let connected = Session::connect(cfg, closed).await;
        let return_ns = now_ns();
        let session = match connected {
            Ok(s) => s,
            Err(f) => {
                // The SDK's constructor failed: data for the driver, not a gRPC error.
                let error = f.error("Client::connect did not return");
                logln!("Connect failed: {} {}", error.sdk_type, error.message);
                return Ok(Response::new(pb::ConnectResponse { client_id: String::new(), error: Some(error), call_ns, return_ns }));
            }
        };
        let id = format!("c{}", self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        let state = Arc::new(ClientState {
            id: id.clone(),
            exec: AsyncMutex::new(Exec::new(session)),
            close,
        });
        self.clients.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), state);
        logln!("Connect client={id}");
        Ok(Response::new(pb::ConnectResponse { client_id: id, error: None, call_ns, return_ns }))
    }

    async fn disconnect(&self, req: Request<pb::DisconnectRequest>) -> Result<Response<pb::DisconnectResponse>, Status> {
        let id = req.into_inner().client_id;
        logln!("Disconnect client={id}");
        let cs = self.clients.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        let Some(cs) = cs else {
            return Err(Status::not_found(format!("unknown client id {id:?}")));
        };
        // Ends a running Execute's current SDK call and every watch and keep-alive
        // task at once; the SDK client and the streams are dropped with the last
        // reference (here, or when that Execute returns). Never waits for it.
        let _ = cs.close.send(true);
        if let Ok(mut exec) = cs.exec.try_lock() {
            exec.watches.clear();
            exec.keepalives.clear();
            exec.observers.clear();
            let locks: Vec<Lock> = exec.locks.drain().map(|(_, l)| l).collect();
            let campaigns: Vec<Campaign> = exec.campaigns.drain().map(|(_, c)| c).collect();
            let limit = exec.session.request_timeout;
            // Revokes each recipe session's lease (its keys go with it), in the background.
            tokio::spawn(recipes::close_all(locks, campaigns, limit));
        }
        Ok(Response::new(pb::DisconnectResponse {}))
    }

    async fn execute(&self, req: Request<pb::ExecuteRequest>) -> Result<Response<pb::ExecuteResponse>, Status> {
        Ok(Response::new(run_program(self, req.into_inner()).await))
    }

    type ExecuteSessionStream =
        std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<pb::ExecuteResponse, Status>> + Send + 'static>>;

    /// The fast path (capability execute.session): many programs on one stream, each run
    /// and answered as Execute would, in order, before the next is read.
    async fn execute_session(
        &self,
        req: Request<tonic::Streaming<pb::ExecuteRequest>>,
    ) -> Result<Response<Self::ExecuteSessionStream>, Status> {
        let mut inbound = req.into_inner();
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let me = self.clone();
        tokio::spawn(async move {
            // Bounded by the stream's life: ends when the driver closes its side or goes away.
            loop {
                let next = match inbound.message().await {
                    Ok(Some(program)) => Ok(run_program(&me, program).await),
                    Ok(None) => break,
                    Err(status) => Err(status),
                };
                let failed = next.is_err();
                if tx.send(next).await.is_err() || failed {
                    break;
                }
            }
        });
        let out = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
        Ok(Response::new(Box::pin(out)))
    }

    type ExecuteStreamStream =
        std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<pb::ExecuteStreamResponse, Status>> + Send + 'static>>;

    /// A program with latches: the first message is the program; later ones release
    /// latches. Results stream back as each command completes; Signal sends `signalled`.
    async fn execute_stream(
        &self,
        req: Request<tonic::Streaming<pb::ExecuteStreamRequest>>,
    ) -> Result<Response<Self::ExecuteStreamStream>, Status> {
        use pb::execute_stream_request::Request as Q;
        let mut inbound = req.into_inner();
        let first = inbound.message().await?;
        let Some(pb::ExecuteStreamRequest { request: Some(Q::Program(program)) }) = first else {
            return Err(Status::invalid_argument("ExecuteStream: the first message must be the program"));
        };
        logln!(
            "ExecuteStream client={} commands={}",
            program.client_id,
            program.program.as_ref().map(|p| p.commands.len()).unwrap_or(0)
        );
        let (latch_tx, latch_rx) = signal::channel(Latches::default());
        tokio::spawn(async move {
            // Reads latch releases until the driver's side ends (bounded by the stream's life).
            while let Ok(Some(m)) = inbound.message().await {
                if let Some(Q::LatchReleased(l)) = m.request {
                    latch_tx.send_modify(|s| {
                        s.released.insert(l.latch);
                    });
                }
            }
            latch_tx.send_modify(|s| s.ended = true);
        });
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        tokio::spawn(run_stream(self.clone(), program, latch_rx, tx));
        let out = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
        Ok(Response::new(Box::pin(out)))
    }

    type WorkloadStream = tonic::codegen::BoxStream<pb::WorkloadReport>;

    /// Runs a load natively (capability perf.workload; see crate::workload). Dropping the
    /// stream (the driver's cancel or deadline) stops the workers.
    async fn workload(&self, req: Request<pb::WorkloadRequest>) -> Result<Response<Self::WorkloadStream>, Status> {
        let spec = crate::workload::parse(req.get_ref()).map_err(|e| {
            logln!("Workload refused: {e}");
            Status::invalid_argument(e)
        })?;
        logln!(
            "Workload clients={} workers={} ops={} keys={} duration={:?} total={} rate={}",
            spec.clients, spec.workers, spec.ops.len(), spec.key_space, spec.duration, spec.total, spec.rate
        );
        Ok(Response::new(crate::workload::start(spec)))
    }
}

/// Serves the performer on `listen` until SIGINT/SIGTERM.
pub async fn serve(listen: &str) -> Result<(), Box<dyn std::error::Error>> {
    let performer = Arc::new(Performer::default());
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    logln!("listening on {addr} (sdk {SDK_PACKAGE} {SDK_VERSION})");
    let service = PerformerServiceServer::new(performer.clone())
        .max_decoding_message_size(MAX_MSG_SIZE)
        .max_encoding_message_size(MAX_MSG_SIZE);
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    let on_signal = performer.clone();
    let shutdown = async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => logln!("signal SIGINT: stopping"),
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => logln!("signal SIGTERM: stopping"),
        }
        on_signal.close_all();
    };
    let result = tonic::transport::Server::builder()
        .add_service(service)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await;
    performer.close_all();
    result.map_err(Into::into)
}

/// Runs one program as Execute does (also each program of an ExecuteSession).
async fn run_program(me: &Arc<Performer>, req: pb::ExecuteRequest) -> pb::ExecuteResponse {
    let cmds = req.program.map(|p| p.commands).unwrap_or_default();
    logln!("Execute client={} commands={}", req.client_id, cmds.len());
    let Some(cs) = me.client(&req.client_id) else {
        let msg = format!("unknown client id {:?}", req.client_id);
        logln!("Execute client={}: {msg}", req.client_id);
        let results = cmds.iter().map(|_| Harness::bad_request(msg.clone()).result()).collect();
        return pb::ExecuteResponse { results };
    };
    let mut closed = cs.close.subscribe();
    let mut exec = cs.exec.lock().await;
    let mut results = Vec::with_capacity(cmds.len());
    for (i, cmd) in cmds.iter().enumerate() {
        let r = run_guarded(&mut exec, &cmd.command, &mut closed).await;
        log_outcome(&cs.id, i, &cmd.command, &r);
        results.push(r);
    }
    pb::ExecuteResponse { results }
}
