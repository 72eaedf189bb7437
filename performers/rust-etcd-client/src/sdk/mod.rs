//! Carries out performer commands with the etcd-client crate and maps its
//! responses and errors onto the protocol's canonical results.

pub mod auth;
pub mod convert;
pub mod keepalive;
pub mod opts;
pub mod recipes;
pub mod watch;

use std::time::Duration;

use etcd_client::{
    Certificate, Client, CompactionOptions, ConnectOptions, Identity, LeaseGrantOptions, LeaseTimeToLiveOptions, TlsOptions,
};
use tokio::sync::watch as signal;

use crate::clock::now_ns;
use crate::errors::map_error;
use crate::pb::{self, command::Command, command_ok::Payload, command_result::Outcome, harness_error::Kind, CommandResult};

pub const DEFAULT_DIAL_TIMEOUT: Duration = Duration::from_millis(5000);
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_millis(10000);
/// tonic's own default HTTP/2 keep-alive timeout, used when Connect sets
/// keepalive_time_ms without keepalive_timeout_ms (ConnectOptions::with_keep_alive
/// takes both).
pub const DEFAULT_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);

/// An error of the performer itself (not of the SDK).
#[derive(Debug, Clone)]
pub struct Harness {
    pub kind: Kind,
    pub message: String,
}

impl Harness {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Harness { kind: Kind::BadRequest, message: message.into() }
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Harness { kind: Kind::Internal, message: message.into() }
    }
    pub fn unimplemented(message: impl Into<String>) -> Self {
        Harness { kind: Kind::Unimplemented, message: message.into() }
    }
    pub fn result(&self) -> CommandResult {
        harness_result(self)
    }
}

/// A harness-error result: no SDK call ran, so call_ns == return_ns == now.
pub fn harness_result(h: &Harness) -> CommandResult {
    let now = now_ns();
    CommandResult {
        call_ns: now,
        return_ns: now,
        outcome: Some(Outcome::HarnessError(pb::HarnessError { kind: h.kind as i32, message: h.message.clone() })),
    }
}

pub fn ok_result(call: i64, ret: i64, payload: Payload) -> CommandResult {
    CommandResult { call_ns: call, return_ns: ret, outcome: Some(Outcome::Ok(pb::CommandOk { payload: Some(payload) })) }
}

pub fn sdk_error_result(call: i64, ret: i64, err: &etcd_client::Error) -> CommandResult {
    sdk_error_value_result(call, ret, map_error(err))
}

pub fn sdk_error_value_result(call: i64, ret: i64, err: pb::SdkError) -> CommandResult {
    CommandResult { call_ns: call, return_ns: ret, outcome: Some(Outcome::SdkError(err)) }
}

/// The performer's own deadline expired around an SDK call (the SDK itself had not
/// ended it): DEADLINE_EXCEEDED, not an SDK error type (typed false).
pub fn deadline_error(what: &str, after: Duration) -> pb::SdkError {
    pb::SdkError {
        code: pb::ErrorCode::DeadlineExceeded as i32,
        sdk_type: "tokio::time::error::Elapsed".into(),
        message: format!("performer-side deadline: {what} within {} ms", after.as_millis()),
        grpc_code: -1,
        typed: false,
    }
}

/// How an SDK call bounded by the performer's deadline failed.
pub enum Failure {
    Sdk(etcd_client::Error),
    Deadline(Duration),
}

impl From<etcd_client::Error> for Failure {
    fn from(e: etcd_client::Error) -> Self {
        Failure::Sdk(e)
    }
}

impl Failure {
    /// The canonical error; `what` says what the performer's deadline waited for.
    pub fn error(&self, what: &str) -> pb::SdkError {
        match self {
            Failure::Sdk(e) => map_error(e),
            Failure::Deadline(after) => deadline_error(what, *after),
        }
    }

    pub fn result(&self, call: i64, ret: i64, what: &str) -> CommandResult {
        sdk_error_value_result(call, ret, self.error(what))
    }
}

/// Runs an SDK call under the performer's backstop deadline `limit`.
pub async fn bounded<T>(
    limit: Duration,
    fut: impl std::future::Future<Output = Result<T, etcd_client::Error>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(limit, fut).await {
        Ok(r) => r.map_err(Failure::Sdk),
        Err(_) => Err(Failure::Deadline(limit)),
    }
}

/// Resolves once `closed` turns true (or its sender is gone).
pub async fn wait_closed(closed: &mut signal::Receiver<bool>) {
    let _ = closed.wait_for(|c| *c).await;
}

/// Settings of one Connect.
#[derive(Clone, Debug)]
pub struct Config {
    pub endpoints: Vec<String>,
    pub dial_timeout: Duration,
    pub request_timeout: Duration,
    pub username: String,
    pub password: String,
    /// HTTP/2 keep-alive ping interval (connect.keepalive); zero: off (the SDK's default).
    pub keepalive_time: Duration,
    /// HTTP/2 keep-alive ping timeout; zero: tonic's default (with a keepalive_time).
    pub keepalive_timeout: Duration,
    /// TLS (connect.tls): the CA (PEM) the server's certificate is checked against;
    /// empty: plaintext.
    pub tls_ca_pem: Vec<u8>,
    /// A client certificate and key, PEM (connect.tls.client_cert); empty: none.
    pub tls_cert_pem: Vec<u8>,
    pub tls_key_pem: Vec<u8>,
    /// The name the server's certificate is checked against; empty: the endpoint's host.
    pub tls_server_name: String,
}

/// One SDK client (Client::connect) and the settings its commands run with.
pub struct Session {
    pub client: Client,
    pub endpoints: Vec<String>,
    pub connect_options: ConnectOptions,
    pub request_timeout: Duration,
    /// The performer's backstop around a unary SDK call: dial + request timeout. The
    /// SDK's own per-request timeout (tonic's, which also covers waiting for a
    /// connection) ends a call first; this only guarantees a call never hangs.
    pub call_limit: Duration,
    /// Becomes true when the client is disconnected: ends watches and keep-alives.
    pub closed: signal::Receiver<bool>,
}

/// The SDK's ConnectOptions for a Connect: with_connect_timeout (dial), with_timeout
/// (per request), with_keep_alive(interval, timeout) when keepalive_time is set (the
/// SDK's HTTP/2 keep-alive; keep_alive_while_idle stays the SDK's default, off, as
/// etcd's server refuses pings without streams by default), with_user.
pub fn connect_options(cfg: &Config) -> (ConnectOptions, Duration, Duration) {
    let dial = if cfg.dial_timeout.is_zero() { DEFAULT_DIAL_TIMEOUT } else { cfg.dial_timeout };
    let request = if cfg.request_timeout.is_zero() { DEFAULT_REQUEST_TIMEOUT } else { cfg.request_timeout };
    let mut options = ConnectOptions::new().with_connect_timeout(dial).with_timeout(request);
    if !cfg.keepalive_time.is_zero() {
        let ka_timeout = if cfg.keepalive_timeout.is_zero() { DEFAULT_KEEPALIVE_TIMEOUT } else { cfg.keepalive_timeout };
        options = options.with_keep_alive(cfg.keepalive_time, ka_timeout);
    }
    if !cfg.username.is_empty() {
        options = options.with_user(cfg.username.clone(), cfg.password.clone());
        // etcd-client >= 0.20 re-authenticates on `invalid auth token` only when asked
        // to (ConnectOptions::with_auto_token_refresh, off by default); older lines
        // authenticate once, in Client::connect, and never again.
        #[cfg(feature = "sdk-token-refresh")]
        {
            options = options.with_auto_token_refresh(true);
        }
    }
    if !cfg.tls_ca_pem.is_empty() {
        // TlsOptions is tonic's ClientTlsConfig (re-exported by etcd-client): the CA,
        // the client identity and the server name; the endpoints are https://.
        let mut tls = TlsOptions::new().ca_certificate(Certificate::from_pem(&cfg.tls_ca_pem));
        if !cfg.tls_cert_pem.is_empty() {
            tls = tls.identity(Identity::from_pem(&cfg.tls_cert_pem, &cfg.tls_key_pem));
        }
        if !cfg.tls_server_name.is_empty() {
            tls = tls.domain_name(cfg.tls_server_name.clone());
        }
        options = options.with_tls(tls);
    }
    (options, dial, request)
}

impl Session {
    /// Client::connect(endpoints, connect_options(cfg)). The SDK's constructor is lazy
    /// (a balanced channel that dials on first use) except that with a user it
    /// authenticates at once; it runs under the dial + request backstop.
    pub async fn connect(cfg: Config, closed: signal::Receiver<bool>) -> Result<Session, Failure> {
        let (options, dial, request) = connect_options(&cfg);
        let call_limit = dial + request;
        let client = bounded(call_limit, Client::connect(&cfg.endpoints, Some(options.clone()))).await?;
        Ok(Session { client, endpoints: cfg.endpoints, connect_options: options, request_timeout: request, call_limit, closed })
    }

    /// Runs one non-watch command through the SDK.
    pub async fn run(&mut self, cmd: &Command) -> CommandResult {
        match cmd {
            Command::Put(p) => self.put(p).await,
            Command::Range(r) => self.range(r).await,
            Command::DeleteRange(d) => self.delete(d).await,
            Command::Txn(t) => self.txn(t).await,
            Command::Compact(c) => self.compact(c).await,
            Command::LeaseGrant(g) => self.lease_grant(g).await,
            Command::LeaseRevoke(r) => self.lease_revoke(r).await,
            Command::LeaseTimeToLive(t) => self.lease_time_to_live(t).await,
            Command::LeaseLeases(_) => self.lease_leases().await,
            Command::LeaseKeepAliveOnce(k) => self.lease_keep_alive_once(k).await,
            Command::Status(s) => self.status(s).await,
            Command::WatchStart(_)
            | Command::WatchCollect(_)
            | Command::WatchCancel(_)
            | Command::LeaseKeepAliveStart(_)
            | Command::LeaseKeepAliveCollect(_)
            | Command::LeaseKeepAliveStop(_) => {
                Harness::internal("watch and keep-alive commands are dispatched by the server's registries").result()
            }
            Command::Authenticate(_)
            | Command::UserAdd(_)
            | Command::UserDelete(_)
            | Command::UserChangePassword(_)
            | Command::UserGrantRole(_)
            | Command::UserRevokeRole(_)
            | Command::RoleAdd(_)
            | Command::RoleGrantPermission(_)
            | Command::RoleRevokePermission(_)
            | Command::AuthEnable(_)
            | Command::AuthDisable(_) => match self.run_auth(cmd).await {
                Some(r) => r,
                None => Harness::internal("auth command not dispatched").result(),
            },
            // Latches and recipes (locks, elections) are not implemented here yet.
            _ => Harness::unimplemented("this command (latches, locks, elections) is not implemented by rust-etcd-client").result(),
        }
    }

    async fn put(&mut self, p: &pb::PutCommand) -> CommandResult {
        let options = opts::put_options(p);
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.put(p.key.clone(), p.value.clone(), Some(options))).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(call, ret, Payload::Put(convert::put_result(&resp))),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    async fn range(&mut self, g: &pb::RangeCommand) -> CommandResult {
        let options = match opts::get_options(g) {
            Ok(o) => o,
            Err(h) => return h.result(),
        };
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.get(g.key.clone(), Some(options))).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(call, ret, Payload::Range(convert::range_result(&resp))),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    async fn delete(&mut self, d: &pb::DeleteRangeCommand) -> CommandResult {
        let options = match opts::delete_options(d) {
            Ok(o) => o,
            Err(h) => return h.result(),
        };
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.delete(d.key.clone(), Some(options))).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(call, ret, Payload::DeleteRange(convert::delete_result(&resp))),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    async fn txn(&mut self, t: &pb::TxnCommand) -> CommandResult {
        let txn = match opts::txn(t) {
            Ok(t) => t,
            Err(h) => return h.result(),
        };
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.txn(txn)).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(call, ret, Payload::Txn(convert::txn_result(&resp))),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    async fn compact(&mut self, c: &pb::CompactCommand) -> CommandResult {
        let mut options = CompactionOptions::new();
        if c.physical {
            options = options.with_physical();
        }
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.compact(c.revision, Some(options))).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(call, ret, Payload::Compact(pb::CompactResult { header: convert::header(resp.header()) })),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    async fn lease_grant(&mut self, g: &pb::LeaseGrantCommand) -> CommandResult {
        let mut options = LeaseGrantOptions::new();
        if g.id != 0 {
            options = options.with_id(g.id);
        }
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.lease_grant(g.ttl, Some(options))).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(
                call,
                ret,
                Payload::LeaseGrant(pb::LeaseGrantResult { header: convert::header(resp.header()), id: resp.id(), ttl: resp.ttl() }),
            ),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    async fn lease_revoke(&mut self, r: &pb::LeaseRevokeCommand) -> CommandResult {
        let call = now_ns();
        let res = bounded(self.call_limit, self.client.lease_revoke(r.id)).await;
        let ret = now_ns();
        match res {
            Ok(resp) => ok_result(call, ret, Payload::LeaseRevoke(pb::LeaseRevokeResult { header: convert::header(resp.header()) })),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    async fn lease_time_to_live(&mut self, t: &pb::LeaseTimeToLiveCommand) -> CommandResult {
        let mut options = LeaseTimeToLiveOptions::new();
        if t.keys {
            options = options.with_keys();
        }
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.lease_time_to_live(t.id, Some(options))).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(
                call,
                ret,
                Payload::LeaseTimeToLive(pb::LeaseTimeToLiveResult {
                    header: convert::header(resp.header()),
                    id: resp.id(),
                    ttl: resp.ttl(),
                    granted_ttl: resp.granted_ttl(),
                    keys: resp.keys().to_vec(),
                }),
            ),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    async fn lease_leases(&mut self) -> CommandResult {
        let call = now_ns();
        let r = bounded(self.call_limit, self.client.leases()).await;
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(
                call,
                ret,
                Payload::LeaseLeases(pb::LeaseLeasesResult {
                    header: convert::header(resp.header()),
                    ids: resp.leases().iter().map(|l| l.id()).collect(),
                }),
            ),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }

    /// Renews a lease once. Client::lease_keep_alive opens the keep-alive stream,
    /// sends one request and consumes its response itself (returning only the
    /// lease id, or LeaseKeepAliveError "lease not found" when the TTL is <= 0); to
    /// report the renewed TTL and header, one more keep-alive is sent with
    /// LeaseKeeper::keep_alive and its response read from LeaseKeepAliveStream.
    async fn lease_keep_alive_once(&mut self, k: &pb::LeaseKeepAliveOnceCommand) -> CommandResult {
        let call = now_ns();
        // The SDK's request timeout bounds only the opening of the stream; its
        // responses are awaited here under the same timeout.
        let r = bounded(self.request_timeout, async {
            let (mut keeper, mut stream) = self.client.lease_keep_alive(k.id).await?;
            keeper.keep_alive().await?;
            stream.message().await
        })
        .await;
        let ret = now_ns();
        match r {
            Ok(Some(resp)) => ok_result(
                call,
                ret,
                Payload::LeaseKeepAliveOnce(pb::LeaseKeepAliveOnceResult {
                    header: convert::header(resp.header()),
                    id: resp.id(),
                    ttl: resp.ttl(),
                }),
            ),
            Ok(None) => sdk_error_value_result(
                call,
                ret,
                pb::SdkError {
                    code: pb::ErrorCode::Unknown as i32,
                    sdk_type: "etcd_client::LeaseKeepAliveStream".into(),
                    message: "keep-alive stream ended without a response".into(),
                    grpc_code: -1,
                    typed: true,
                },
            ),
            Err(f) => f.result(call, ret, "no keep-alive response from the SDK"),
        }
    }

    /// Client::status has no endpoint argument: it asks whichever endpoint the
    /// client's balanced channel picks. With one endpoint (or the request naming
    /// it) that is the client itself; another endpoint gets a one-off
    /// Client::connect([endpoint]) with the same options.
    async fn status(&mut self, s: &pb::StatusCommand) -> CommandResult {
        let only_ours = self.endpoints.len() == 1 && (s.endpoint.is_empty() || s.endpoint == self.endpoints[0]);
        let target = if s.endpoint.is_empty() { self.endpoints.first().cloned().unwrap_or_default() } else { s.endpoint.clone() };
        let call = now_ns();
        let options = self.connect_options.clone();
        let r = if only_ours {
            bounded(self.call_limit, self.client.status()).await
        } else {
            bounded(self.call_limit, async move {
                let mut one = Client::connect([target.as_str()], Some(options)).await?;
                one.status().await
            })
            .await
        };
        let ret = now_ns();
        match r {
            Ok(resp) => ok_result(
                call,
                ret,
                Payload::Status(pb::StatusResult {
                    header: convert::header(resp.header()),
                    version: resp.version().to_string(),
                    db_size: resp.db_size(),
                    leader: resp.leader(),
                    raft_index: resp.raft_index(),
                    raft_term: resp.raft_term(),
                }),
            ),
            Err(f) => f.result(call, ret, "no answer from the SDK"),
        }
    }
}
