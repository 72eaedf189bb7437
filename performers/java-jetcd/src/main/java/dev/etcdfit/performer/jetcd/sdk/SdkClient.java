package dev.etcdfit.performer.jetcd.sdk;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.support.CloseableClient;

import etcdfit.performer.v1.Performer.Command;
import etcdfit.performer.v1.Performer.ConnectRequest;
import etcdfit.performer.v1.Performer.CommandOk;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.CompactCommand;
import etcdfit.performer.v1.Performer.CompactResult;
import etcdfit.performer.v1.Performer.DeleteRangeCommand;
import etcdfit.performer.v1.Performer.HarnessError;
import etcdfit.performer.v1.Performer.LeaseGrantCommand;
import etcdfit.performer.v1.Performer.LeaseGrantResult;
import etcdfit.performer.v1.Performer.LeaseKeepAliveOnceCommand;
import etcdfit.performer.v1.Performer.LeaseKeepAliveOnceResult;
import etcdfit.performer.v1.Performer.LeaseKeepAliveStartCommand;
import etcdfit.performer.v1.Performer.LeaseKeepAliveStartResult;
import etcdfit.performer.v1.Performer.LeaseRevokeCommand;
import etcdfit.performer.v1.Performer.LeaseRevokeResult;
import etcdfit.performer.v1.Performer.LeaseTimeToLiveCommand;
import etcdfit.performer.v1.Performer.LeaseTimeToLiveResult;
import etcdfit.performer.v1.Performer.PutCommand;
import etcdfit.performer.v1.Performer.RangeCommand;
import etcdfit.performer.v1.Performer.StatusCommand;
import etcdfit.performer.v1.Performer.StatusResult;
import etcdfit.performer.v1.Performer.TxnCommand;
import etcdfit.performer.v1.Performer.WatchStartCommand;
import etcdfit.performer.v1.Performer.WatchStartResult;

/**
 * One jetcd {@link Client} and the settings its commands run with. Every command is one
 * call of jetcd's public API; jetcd has no per-call deadline, so the request timeout is
 * applied by waiting on the call's future (an unanswered call comes back as
 * DEADLINE_EXCEEDED with java.util.concurrent.TimeoutException).
 */
public final class SdkClient implements AutoCloseable {
    public static final long DEFAULT_DIAL_TIMEOUT_MS = 5000;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10000;

    private final Client client;
    private final List<String> endpoints;
    private final long requestTimeoutMs;

    private SdkClient(Client client, List<String> endpoints, long requestTimeoutMs) {
        this.client = client;
        this.endpoints = List.copyOf(endpoints);
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /**
     * The Connect options this performer cannot pass to jetcd, or null when every option set
     * is supported. jetcd's ClientBuilder has no option that blocks until connected
     * (build() is always lazy; waitForReady is a per-call option, not a connect) and no
     * member-list auto-sync, so connect.block and connect.auto_sync are not claimed.
     */
    public static String unsupportedOption(ConnectRequest req) {
        if (req.getBlockUntilConnected()) {
            return "block_until_connected: jetcd's ClientBuilder has no blocking connect (Client.build() is lazy);"
                + " capability connect.block is not claimed";
        }
        if (req.getAutoSyncIntervalMs() != 0) {
            return "auto_sync_interval_ms: jetcd has no member-list auto-sync; capability connect.auto_sync is not claimed";
        }
        if (req.getTlsCaPem().isEmpty()
            && (!req.getTlsServerName().isEmpty() || !req.getTlsCertPem().isEmpty() || !req.getTlsKeyPem().isEmpty())) {
            return "tls_server_name/tls_cert_pem/tls_key_pem without tls_ca_pem (an empty CA is plaintext)";
        }
        if (req.getTlsCertPem().isEmpty() != req.getTlsKeyPem().isEmpty()) {
            return (req.getTlsCertPem().isEmpty() ? "tls_key_pem" : "tls_cert_pem")
                + ": tls_cert_pem and tls_key_pem go together (both or neither)";
        }
        return null;
    }

    /**
     * The jetcd ClientBuilder for a Connect: Client.builder().endpoints(...)
     * .connectTimeout(dial)[.keepaliveTime(..)][.keepaliveTimeout(..)][.user().password()].
     * Options jetcd does not have must have been refused first ({@link #unsupportedOption}).
     */
    public static ClientBuilder builder(ConnectRequest req) {
        if (req.getEndpointsCount() == 0) {
            throw new IllegalArgumentException("no endpoints given");
        }
        long dial = req.getDialTimeoutMs() != 0 ? Integer.toUnsignedLong(req.getDialTimeoutMs()) : DEFAULT_DIAL_TIMEOUT_MS;
        ClientBuilder b = Client.builder()
            .endpoints(req.getEndpointsList().toArray(new String[0]))
            .connectTimeout(Duration.ofMillis(dial));
        // connect.keepalive: jetcd's own gRPC keepalive settings (jetcd defaults: 30 s / 10 s,
        // keepaliveWithoutCalls true); grpc-java raises a keepalive time below 10 s to 10 s.
        if (req.getKeepaliveTimeMs() != 0) {
            b.keepaliveTime(Duration.ofMillis(Integer.toUnsignedLong(req.getKeepaliveTimeMs())));
        }
        if (req.getKeepaliveTimeoutMs() != 0) {
            b.keepaliveTimeout(Duration.ofMillis(Integer.toUnsignedLong(req.getKeepaliveTimeoutMs())));
        }
        if (!req.getUsername().isEmpty()) {
            b.user(ByteSequence.from(req.getUsername(), StandardCharsets.UTF_8))
                .password(ByteSequence.from(req.getPassword(), StandardCharsets.UTF_8));
        }
        if (!req.getTlsCaPem().isEmpty()) {
            // connect.tls: ClientBuilder.sslContext(Consumer<SslContextBuilder>) (jetcd starts
            // the builder from GrpcSslContexts.forClient()), the CA as trust manager, the client
            // certificate and its PKCS#8 key as key manager; the server name as the channel's
            // authority (ClientBuilder.authority), which is what grpc-java checks the
            // certificate against.
            try {
                b.sslContext(ssl -> {
                    ssl.trustManager(new java.io.ByteArrayInputStream(req.getTlsCaPem().toByteArray()));
                    if (!req.getTlsCertPem().isEmpty()) {
                        ssl.keyManager(new java.io.ByteArrayInputStream(req.getTlsCertPem().toByteArray()),
                            new java.io.ByteArrayInputStream(req.getTlsKeyPem().toByteArray()));
                    }
                });
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalArgumentException("jetcd sslContext: " + e.getMessage(), e);
            }
            if (!req.getTlsServerName().isEmpty()) {
                b.authority(req.getTlsServerName());
            }
        }
        return b;
    }

    /**
     * Builds the jetcd client. jetcd connects lazily, so build() fails only for arguments it
     * rejects (e.g. a malformed endpoint); that failure is thrown as the SDK gave it.
     */
    public static SdkClient connect(ConnectRequest req, ClientBuilder b) {
        long reqTimeout = req.getRequestTimeoutMs() != 0 ? Integer.toUnsignedLong(req.getRequestTimeoutMs())
            : DEFAULT_REQUEST_TIMEOUT_MS;
        return new SdkClient(b.build(), req.getEndpointsList(), reqTimeout);
    }

    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    /** The concurrency recipes (jetcd's Lock and Election clients) on this client. */
    public Recipes recipes() {
        return new Recipes(client, requestTimeoutMs);
    }

    @Override
    public void close() {
        client.close();
    }

    // ------------------------------------------------------------------ dispatch

    /** Runs one non-watch command (watch commands need the per-client registry). */
    public CommandResult run(Command cmd) throws InterruptedException {
        try {
            switch (cmd.getCommandCase()) {
                case PUT:
                    return put(cmd.getPut());
                case RANGE:
                    return range(cmd.getRange());
                case DELETE_RANGE:
                    return deleteRange(cmd.getDeleteRange());
                case TXN:
                    return txn(cmd.getTxn());
                case COMPACT:
                    return compact(cmd.getCompact());
                case LEASE_GRANT:
                    return leaseGrant(cmd.getLeaseGrant());
                case LEASE_REVOKE:
                    return leaseRevoke(cmd.getLeaseRevoke());
                case LEASE_TIME_TO_LIVE:
                    return leaseTimeToLive(cmd.getLeaseTimeToLive());
                case LEASE_LEASES:
                    return Results.harness(HarnessError.Kind.UNIMPLEMENTED,
                        "lease_leases: jetcd's Lease interface has no call that lists leases (capability lease.leases not claimed)");
                case LEASE_KEEP_ALIVE_ONCE:
                    return leaseKeepAliveOnce(cmd.getLeaseKeepAliveOnce());
                case STATUS:
                    return status(cmd.getStatus());
                case COMMAND_NOT_SET:
                    return Results.harness(HarnessError.Kind.BAD_REQUEST, "command has no operation set (empty oneof)");
                case AUTHENTICATE: case USER_ADD: case USER_DELETE: case USER_CHANGE_PASSWORD: case USER_GRANT_ROLE:
                case USER_REVOKE_ROLE: case ROLE_ADD: case ROLE_GRANT_PERMISSION: case ROLE_REVOKE_PERMISSION:
                case AUTH_ENABLE: case AUTH_DISABLE:
                    return new AuthCommands(this, client.getAuthClient()).run(cmd);
                default:
                    return Results.harness(HarnessError.Kind.UNIMPLEMENTED,
                        "command " + cmd.getCommandCase() + " is not implemented by this performer");
            }
        } catch (HarnessException e) {
            return Results.harness(e);
        } catch (IllegalArgumentException e) {
            // a jetcd option builder rejected an argument (Preconditions.checkArgument): no request was sent
            long now = Clock.now();
            return Results.sdkError(now, now, e);
        }
    }

    /**
     * Starts one SDK call and waits for it: call_ns just before the call, return_ns when
     * its future completed (or the request timeout passed).
     */
    <T> CommandResult call(Supplier<CompletableFuture<T>> start, Function<T, CommandOk> convert)
        throws InterruptedException {
        long call = Clock.now();
        CompletableFuture<T> f;
        try {
            f = start.get();
        } catch (RuntimeException e) {
            return Results.sdkError(call, Clock.now(), e);
        }
        T value;
        try {
            value = f.get(requestTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return Results.sdkError(call, Clock.now(), e.getCause() != null ? e.getCause() : e);
        } catch (TimeoutException e) {
            long ret = Clock.now();
            f.cancel(true);
            return Results.sdkError(call, ret, new TimeoutException(
                "the jetcd call did not complete within the request timeout of " + requestTimeoutMs + " ms"));
        } catch (CancellationException e) {
            return Results.sdkError(call, Clock.now(), e);
        }
        long ret = Clock.now();
        return Results.ok(call, ret, convert.apply(value));
    }

    // ------------------------------------------------------------------ KV

    private CommandResult put(PutCommand p) throws HarnessException, InterruptedException {
        var opt = Options.putOption(p);
        var key = Options.bytes(p.getKey());
        var value = Options.bytes(p.getValue());
        return call(() -> client.getKVClient().put(key, value, opt),
            r -> CommandOk.newBuilder().setPut(Convert.putResult(r)).build());
    }

    private CommandResult range(RangeCommand r) throws HarnessException, InterruptedException {
        var opt = Options.getOption(r);
        var key = Options.bytes(r.getKey());
        return call(() -> client.getKVClient().get(key, opt),
            resp -> CommandOk.newBuilder().setRange(Convert.rangeResult(resp)).build());
    }

    private CommandResult deleteRange(DeleteRangeCommand d) throws HarnessException, InterruptedException {
        var opt = Options.deleteOption(d);
        var key = Options.bytes(d.getKey());
        return call(() -> client.getKVClient().delete(key, opt),
            resp -> CommandOk.newBuilder().setDeleteRange(Convert.deleteResult(resp)).build());
    }

    private CommandResult txn(TxnCommand t) throws HarnessException, InterruptedException {
        var parts = Options.txnParts(t);
        return call(() -> client.getKVClient().txn().If(parts.cmps).Then(parts.success).Else(parts.failure).commit(),
            resp -> CommandOk.newBuilder().setTxn(Convert.txnResult(resp, t)).build());
    }

    private CommandResult compact(CompactCommand c) throws InterruptedException {
        var opt = CompactOption.builder().withCompactPhysical(c.getPhysical()).build();
        return call(() -> client.getKVClient().compact(c.getRevision(), opt),
            resp -> CommandOk.newBuilder().setCompact(
                CompactResult.newBuilder().setHeader(Convert.header(resp.getHeader()))).build());
    }

    // ------------------------------------------------------------------ leases

    private CommandResult leaseGrant(LeaseGrantCommand g) throws HarnessException, InterruptedException {
        if (g.getId() != 0) {
            throw HarnessException.unimplemented(
                "lease grant with a client-chosen id: jetcd's Lease.grant(ttl) cannot choose the id (capability lease.grant.id not claimed)");
        }
        return call(() -> client.getLeaseClient().grant(g.getTtl()),
            resp -> CommandOk.newBuilder().setLeaseGrant(LeaseGrantResult.newBuilder()
                .setHeader(Convert.header(resp.getHeader())).setId(resp.getID()).setTtl(resp.getTTL())).build());
    }

    private CommandResult leaseRevoke(LeaseRevokeCommand r) throws InterruptedException {
        return call(() -> client.getLeaseClient().revoke(r.getId()),
            resp -> CommandOk.newBuilder().setLeaseRevoke(LeaseRevokeResult.newBuilder()
                .setHeader(Convert.header(resp.getHeader()))).build());
    }

    private CommandResult leaseTimeToLive(LeaseTimeToLiveCommand t) throws InterruptedException {
        LeaseOption opt = t.getKeys() ? LeaseOption.builder().withAttachedKeys().build() : LeaseOption.DEFAULT;
        return call(() -> client.getLeaseClient().timeToLive(t.getId(), opt),
            resp -> {
                LeaseTimeToLiveResult.Builder b = LeaseTimeToLiveResult.newBuilder()
                    .setHeader(Convert.header(resp.getHeader()))
                    .setId(resp.getID())
                    .setTtl(resp.getTTL())
                    .setGrantedTtl(resp.getGrantedTTL());
                for (ByteSequence k : resp.getKeys()) {
                    b.addKeys(Convert.bytes(k));
                }
                return CommandOk.newBuilder().setLeaseTimeToLive(b).build();
            });
    }

    private CommandResult leaseKeepAliveOnce(LeaseKeepAliveOnceCommand k) throws InterruptedException {
        return call(() -> client.getLeaseClient().keepAliveOnce(k.getId()),
            resp -> CommandOk.newBuilder().setLeaseKeepAliveOnce(LeaseKeepAliveOnceResult.newBuilder()
                .setHeader(Convert.header(resp.getHeader())).setId(resp.getID()).setTtl(resp.getTTL())).build());
    }

    /** A started keep-alive stream and the result of starting it; handle is null when it did not start. */
    public static final class KeepAliveStarted {
        public final KeepAliveHandle handle;
        public final CommandResult result;

        KeepAliveStarted(KeepAliveHandle handle, CommandResult result) {
            this.handle = handle;
            this.result = result;
        }
    }

    /**
     * lease.keepalive: Lease.keepAlive(id, observer), jetcd's background keep-alive. With id 0
     * the lease is granted first through Lease.grant(ttl) (under the request timeout). call_ns
     * is taken before the grant (if any), return_ns once jetcd accepted the observer.
     */
    public KeepAliveStarted startKeepAlive(LeaseKeepAliveStartCommand k) throws InterruptedException {
        if (k.getHandle().isEmpty()) {
            return new KeepAliveStarted(null, Results.harness(HarnessError.Kind.BAD_REQUEST,
                "lease_keep_alive_start needs a handle"));
        }
        if (k.getId() == 0 && k.getTtl() <= 0) {
            return new KeepAliveStarted(null, Results.harness(HarnessError.Kind.BAD_REQUEST,
                "lease_keep_alive_start needs a lease id, or id 0 and a ttl > 0 to grant one"));
        }
        if (k.getId() != 0 && k.getTtl() != 0) {
            return new KeepAliveStarted(null, Results.harness(HarnessError.Kind.BAD_REQUEST,
                "lease_keep_alive_start: ttl is only for id 0 (grant, then keep alive)"));
        }
        long call = Clock.now();
        long id = k.getId();
        long grantedTtl = 0;
        if (id == 0) {
            CommandResult g = call(() -> client.getLeaseClient().grant(k.getTtl()),
                resp -> CommandOk.newBuilder().setLeaseGrant(LeaseGrantResult.newBuilder()
                    .setHeader(Convert.header(resp.getHeader())).setId(resp.getID()).setTtl(resp.getTTL())).build());
            if (!g.hasOk()) {
                return new KeepAliveStarted(null, g);
            }
            id = g.getOk().getLeaseGrant().getId();
            grantedTtl = g.getOk().getLeaseGrant().getTtl();
        }
        KeepAliveHandle h = new KeepAliveHandle(k.getHandle(), id);
        CloseableClient stream;
        try {
            stream = client.getLeaseClient().keepAlive(id, h);
        } catch (RuntimeException e) { // e.g. ClosedClientException: the lease client is closed
            return new KeepAliveStarted(null, Results.sdkError(call, Clock.now(), e));
        }
        h.attach(stream);
        long ret = Clock.now();
        return new KeepAliveStarted(h, Results.ok(call, ret, CommandOk.newBuilder().setLeaseKeepAliveStart(
            LeaseKeepAliveStartResult.newBuilder().setId(id).setTtl(grantedTtl)).build()));
    }

    // ------------------------------------------------------------------ maintenance

    private CommandResult status(StatusCommand s) throws InterruptedException {
        // statusMember takes "the etcd server endpoint", exactly as the client was given it
        String ep = s.getEndpoint().isEmpty() ? endpoints.get(0) : s.getEndpoint();
        return call(() -> client.getMaintenanceClient().statusMember(ep),
            resp -> CommandOk.newBuilder().setStatus(StatusResult.newBuilder()
                .setHeader(Convert.header(resp.getHeader()))
                .setVersion(resp.getVersion())
                .setDbSize(resp.getDbSize())
                .setLeader(resp.getLeader())
                .setRaftIndex(resp.getRaftIndex())
                .setRaftTerm(resp.getRaftTerm())).build());
    }

    // ------------------------------------------------------------------ watch

    /** A started watch and the result of starting it; watch is null when it did not start. */
    public static final class Started {
        public final WatchHandle watch;
        public final CommandResult result;

        Started(WatchHandle watch, CommandResult result) {
            this.watch = watch;
            this.result = result;
        }
    }

    /**
     * Watch.watch(key, option, listener) with created-notify, then waits until jetcd passes
     * on the server's "created" response (or the watch already ended, e.g. a compacted start
     * revision), so that a write made after WatchStart returns is never missed.
     */
    public Started startWatch(WatchStartCommand w) throws InterruptedException {
        Watch.Watcher watcher;
        WatchHandle h = new WatchHandle(w.getHandle());
        long call;
        try {
            var opt = Options.watchOption(w);
            var key = Options.bytes(w.getKey());
            call = Clock.now();
            watcher = client.getWatchClient().watch(key, opt, h);
        } catch (HarnessException e) {
            return new Started(null, Results.harness(e));
        } catch (RuntimeException e) { // e.g. ClosedClientException, an option the SDK rejects
            long now = Clock.now();
            return new Started(null, Results.sdkError(now, now, e));
        }
        h.attach(watcher);
        boolean ok = h.awaitCreated(requestTimeoutMs);
        long ret = Clock.now();
        if (!ok) {
            h.close();
            return new Started(null, Results.sdkError(call, ret, new TimeoutException(
                "jetcd delivered no watch-created response within the request timeout of " + requestTimeoutMs + " ms")));
        }
        return new Started(h, Results.ok(call, ret,
            CommandOk.newBuilder().setWatchStart(WatchStartResult.getDefaultInstance()).build()));
    }
}
