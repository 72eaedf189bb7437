package dev.etcdfit.performer.jetcd.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import dev.etcdfit.performer.jetcd.Log;
import dev.etcdfit.performer.jetcd.sdk.Capabilities;
import dev.etcdfit.performer.jetcd.sdk.Clock;
import dev.etcdfit.performer.jetcd.sdk.ErrorMapper;
import dev.etcdfit.performer.jetcd.sdk.KeepAliveHandle;
import dev.etcdfit.performer.jetcd.sdk.Recipes;
import dev.etcdfit.performer.jetcd.sdk.Results;
import dev.etcdfit.performer.jetcd.sdk.SdkClient;
import dev.etcdfit.performer.jetcd.sdk.SdkInfo;
import dev.etcdfit.performer.jetcd.sdk.WatchHandle;

import etcdfit.performer.v1.Performer.Command;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.ConnectRequest;
import etcdfit.performer.v1.Performer.ConnectResponse;
import etcdfit.performer.v1.Performer.DescribeRequest;
import etcdfit.performer.v1.Performer.DescribeResponse;
import etcdfit.performer.v1.Performer.DisconnectRequest;
import etcdfit.performer.v1.Performer.DisconnectResponse;
import etcdfit.performer.v1.Performer.ExecuteRequest;
import etcdfit.performer.v1.Performer.ExecuteResponse;
import etcdfit.performer.v1.Performer.ExecuteStreamRequest;
import etcdfit.performer.v1.Performer.ExecuteStreamResponse;
import etcdfit.performer.v1.Performer.HarnessError;
import etcdfit.performer.v1.Performer.LeaseKeepAliveStartCommand;
import etcdfit.performer.v1.Performer.ProtocolVersion;
import etcdfit.performer.v1.Performer.WatchStartCommand;
import etcdfit.performer.v1.PerformerServiceGrpc;

/**
 * The protocol loop: Describe / Connect / Disconnect / Execute, the client registry and the
 * per-client watch registry. The SDK work itself is in the sdk package.
 */
public final class PerformerService extends PerformerServiceGrpc.PerformerServiceImplBase {
    public static final String NAME = "java-jetcd";
    public static final String LANGUAGE = "java";
    public static final String PERFORMER_VERSION = "0.1.0";

    private final Map<String, ClientState> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();

    /** One Connect: the SDK client and its live watches by handle. */
    static final class ClientState {
        final String id;
        final SdkClient sdk;
        /** Serialises Execute calls on one client: one program stream per client. */
        final ReentrantLock exec = new ReentrantLock();
        final Map<String, WatchHandle> watches = new ConcurrentHashMap<>();
        final Map<String, KeepAliveHandle> keepAlives = new ConcurrentHashMap<>();
        /** Held locks, campaigns and observers (docs/concurrency.md). */
        final Recipes recipes;
        volatile boolean closed;

        ClientState(String id, SdkClient sdk) {
            this.id = id;
            this.sdk = sdk;
            this.recipes = sdk.recipes();
        }

        /** Closes the keep-alive streams, the watches and the client without waiting for a running Execute. */
        void close() {
            closed = true;
            List<KeepAliveHandle> ks = new ArrayList<>(keepAlives.values());
            keepAlives.clear();
            for (KeepAliveHandle k : ks) {
                k.close();
            }
            List<WatchHandle> ws = new ArrayList<>(watches.values());
            watches.clear();
            for (WatchHandle w : ws) {
                w.close();
            }
            recipes.close();
            try {
                sdk.close();
            } catch (RuntimeException e) {
                Log.line("closing client " + id + ": " + e);
            }
        }
    }

    @Override
    public void describe(DescribeRequest request, StreamObserver<DescribeResponse> out) {
        String v = SdkInfo.sdkVersion();
        List<String> caps = Capabilities.forVersion(v);
        Log.line("Describe -> jetcd " + v + ", " + caps.size() + " capabilities");
        out.onNext(DescribeResponse.newBuilder()
            .setName(NAME)
            .setLanguage(LANGUAGE)
            .setSdkPackage(SdkInfo.SDK_PACKAGE)
            .setSdkVersion(v)
            .setPerformerVersion(PERFORMER_VERSION)
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .addAllCapabilities(caps)
            .build());
        out.onCompleted();
    }

    @Override
    public void connect(ConnectRequest req, StreamObserver<ConnectResponse> out) {
        String what = "Connect endpoints=" + req.getEndpointsList() + " dial_timeout_ms=" + req.getDialTimeoutMs()
            + " request_timeout_ms=" + req.getRequestTimeoutMs() + " keepalive_time_ms=" + req.getKeepaliveTimeMs()
            + " keepalive_timeout_ms=" + req.getKeepaliveTimeoutMs() + " auth=" + !req.getUsername().isEmpty();
        String unsupported = SdkClient.unsupportedOption(req);
        if (unsupported != null) {
            Log.line(what + " -> INVALID_ARGUMENT " + unsupported);
            out.onError(Status.INVALID_ARGUMENT.withDescription(unsupported).asRuntimeException());
            return;
        }
        if (req.getEndpointsCount() == 0) { // the request itself is unusable
            Log.line(what + " -> INVALID_ARGUMENT no endpoints");
            out.onError(Status.INVALID_ARGUMENT.withDescription("cannot build the jetcd client: no endpoints given")
                .asRuntimeException());
            return;
        }
        // The SDK's own builder or constructor failing (e.g. ClientBuilder.endpoints refusing a
        // malformed URI) is data (ConnectResponse.error), not a performer failure.
        SdkClient sdk;
        long call = Clock.now();
        try {
            sdk = SdkClient.connect(req, SdkClient.builder(req));
        } catch (RuntimeException e) {
            long ret = Clock.now();
            Log.line(what + " -> SDK error " + e);
            out.onNext(ConnectResponse.newBuilder().setError(ErrorMapper.map(e)).setCallNs(call).setReturnNs(ret).build());
            out.onCompleted();
            return;
        }
        long ret = Clock.now();
        String id = "c" + nextId.incrementAndGet();
        clients.put(id, new ClientState(id, sdk));
        Log.line(what + " -> " + id);
        out.onNext(ConnectResponse.newBuilder().setClientId(id).setCallNs(call).setReturnNs(ret).build());
        out.onCompleted();
    }

    @Override
    public void disconnect(DisconnectRequest req, StreamObserver<DisconnectResponse> out) {
        ClientState cs = clients.remove(req.getClientId());
        if (cs == null) {
            Log.line("Disconnect " + req.getClientId() + " -> unknown client");
            out.onError(Status.NOT_FOUND.withDescription("unknown client id " + quote(req.getClientId()))
                .asRuntimeException());
            return;
        }
        long t0 = System.nanoTime();
        cs.close();
        Log.line(String.format("Disconnect %s -> closed (%.1f ms)", cs.id, (System.nanoTime() - t0) / 1e6));
        out.onNext(DisconnectResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void execute(ExecuteRequest req, StreamObserver<ExecuteResponse> out) {
        out.onNext(run(req));
        out.onCompleted();
    }

    /**
     * ExecuteSession, the fast path (capability execute.session): many programs on one
     * stream. grpc-java delivers one call's messages one at a time, so each program runs
     * and is answered, as Execute would answer it, before the next is read.
     */
    @Override
    public StreamObserver<ExecuteRequest> executeSession(StreamObserver<ExecuteResponse> out) {
        return new StreamObserver<ExecuteRequest>() {
            @Override
            public void onNext(ExecuteRequest req) {
                out.onNext(run(req));
            }

            @Override
            public void onError(Throwable t) {
                Log.line("ExecuteSession ended by the driver: " + t);
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    private ExecuteResponse run(ExecuteRequest req) {
        long t0 = System.nanoTime();
        List<Command> cmds = req.getProgram().getCommandsList();
        List<CommandResult> results = new ArrayList<>(cmds.size());
        ClientState cs = clients.get(req.getClientId());
        if (cs == null) {
            String msg = "unknown client id " + quote(req.getClientId());
            for (int i = 0; i < cmds.size(); i++) {
                results.add(Results.harness(HarnessError.Kind.BAD_REQUEST, msg));
            }
        } else {
            cs.exec.lock();
            // jetcd starts its gRPC calls on the calling thread, and grpc-java binds a call
            // started there to io.grpc.Context.current(): this Execute RPC's context, which
            // is cancelled as soon as Execute returns. A watch started by the program must
            // outlive the program, so the SDK runs under the root context instead.
            Context previous = Context.ROOT.attach();
            try {
                for (int i = 0; i < cmds.size(); i++) {
                    CommandResult r = runOne(cs, cmds.get(i));
                    if (r == null) { // never leave a slot empty
                        r = Results.harness(HarnessError.Kind.INTERNAL, "performer produced no result");
                    }
                    logOutcome(cs.id, i, cmds.get(i), r);
                    results.add(r);
                }
            } finally {
                Context.ROOT.detach(previous);
                cs.exec.unlock();
            }
        }
        int ok = 0;
        int sdk = 0;
        int harness = 0;
        for (CommandResult r : results) {
            switch (r.getOutcomeCase()) {
                case OK:
                    ok++;
                    break;
                case SDK_ERROR:
                    sdk++;
                    break;
                default:
                    harness++;
                    break;
            }
        }
        Log.line(String.format("Execute %s commands=%d -> ok=%d sdk_error=%d harness_error=%d (%.1f ms)",
            req.getClientId(), cmds.size(), ok, sdk, harness, (System.nanoTime() - t0) / 1e6));
        return ExecuteResponse.newBuilder().addAllResults(results).build();
    }

    /** ExecuteStream: a program with latches, run on a thread of its own (ProgramStream). */
    @Override
    public StreamObserver<ExecuteStreamRequest> executeStream(StreamObserver<ExecuteStreamResponse> out) {
        return new ProgramStream(clients::get, out);
    }

    /** Runs one command; any exception of the performer's own becomes a harness INTERNAL error. */
    static CommandResult runOne(ClientState cs, Command cmd) {
        try {
            if (cs.closed) {
                return Results.harness(HarnessError.Kind.BAD_REQUEST, "client " + cs.id + " was disconnected");
            }
            switch (cmd.getCommandCase()) {
                case WATCH_START:
                    return watchStart(cs, cmd.getWatchStart());
                case WATCH_COLLECT: {
                    WatchHandle w = cs.watches.get(cmd.getWatchCollect().getHandle());
                    if (w == null) {
                        return Results.harness(HarnessError.Kind.BAD_REQUEST,
                            "unknown watch handle " + quote(cmd.getWatchCollect().getHandle()));
                    }
                    return w.collect(cmd.getWatchCollect());
                }
                case WATCH_CANCEL: {
                    WatchHandle w = cs.watches.remove(cmd.getWatchCancel().getHandle());
                    if (w == null) {
                        return Results.harness(HarnessError.Kind.BAD_REQUEST,
                            "unknown watch handle " + quote(cmd.getWatchCancel().getHandle()));
                    }
                    return w.cancel();
                }
                case LEASE_KEEP_ALIVE_START:
                    return keepAliveStart(cs, cmd.getLeaseKeepAliveStart());
                case LEASE_KEEP_ALIVE_COLLECT: {
                    KeepAliveHandle k = cs.keepAlives.get(cmd.getLeaseKeepAliveCollect().getHandle());
                    if (k == null) {
                        return Results.harness(HarnessError.Kind.BAD_REQUEST,
                            "unknown keep-alive handle " + quote(cmd.getLeaseKeepAliveCollect().getHandle()));
                    }
                    return k.collect(cmd.getLeaseKeepAliveCollect());
                }
                case LEASE_KEEP_ALIVE_STOP: {
                    // the stopped stream stays registered (ended), so a later collect reports ended
                    KeepAliveHandle k = cs.keepAlives.get(cmd.getLeaseKeepAliveStop().getHandle());
                    if (k == null) {
                        return Results.harness(HarnessError.Kind.BAD_REQUEST,
                            "unknown keep-alive handle " + quote(cmd.getLeaseKeepAliveStop().getHandle()));
                    }
                    return k.stop();
                }
                case SIGNAL:
                case WAIT:
                    return Results.harness(HarnessError.Kind.BAD_REQUEST,
                        "signal and wait run only in ExecuteStream programs (latches need the stream)");
                default: {
                    CommandResult r = cs.recipes.run(cmd);
                    return r != null ? r : cs.sdk.run(cmd);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Results.harness(HarnessError.Kind.INTERNAL, "interrupted while running " + cmd.getCommandCase());
        } catch (Throwable t) { // a bug of the performer: report it, keep serving
            Log.line("exception in " + cmd.getCommandCase() + ": " + stackTrace(t));
            return Results.harness(HarnessError.Kind.INTERNAL,
                "exception in " + cmd.getCommandCase() + ": " + t);
        }
    }

    private static CommandResult watchStart(ClientState cs, WatchStartCommand w) throws InterruptedException {
        if (w.getHandle().isEmpty()) {
            return Results.harness(HarnessError.Kind.BAD_REQUEST, "watch_start needs a handle");
        }
        WatchHandle old = cs.watches.get(w.getHandle());
        if (old != null && !old.isEnded()) {
            return Results.harness(HarnessError.Kind.BAD_REQUEST,
                "watch handle " + quote(w.getHandle()) + " is already live on this client");
        }
        SdkClient.Started s = cs.sdk.startWatch(w);
        if (s.watch != null) {
            cs.watches.put(w.getHandle(), s.watch);
            if (cs.closed) { // disconnected meanwhile: do not leak the watcher
                s.watch.close();
            }
        }
        return s.result;
    }

    private static CommandResult keepAliveStart(ClientState cs, LeaseKeepAliveStartCommand k) throws InterruptedException {
        KeepAliveHandle old = cs.keepAlives.get(k.getHandle());
        if (old != null && !old.isEnded()) {
            return Results.harness(HarnessError.Kind.BAD_REQUEST,
                "keep-alive handle " + quote(k.getHandle()) + " is already live on this client");
        }
        SdkClient.KeepAliveStarted s = cs.sdk.startKeepAlive(k);
        if (s.handle != null) {
            cs.keepAlives.put(k.getHandle(), s.handle);
            if (cs.closed) { // disconnected meanwhile: do not leak the stream
                s.handle.close();
            }
        }
        return s.result;
    }

    private static void logOutcome(String client, int i, Command cmd, CommandResult r) {
        switch (r.getOutcomeCase()) {
            case SDK_ERROR:
                Log.line("Execute " + client + " command=" + i + " " + cmd.getCommandCase() + ": sdk_error "
                    + r.getSdkError().getCode() + " " + r.getSdkError().getSdkType() + ": " + r.getSdkError().getMessage());
                break;
            case HARNESS_ERROR:
                Log.line("Execute " + client + " command=" + i + " " + cmd.getCommandCase() + ": harness_error "
                    + r.getHarnessError().getKind() + ": " + r.getHarnessError().getMessage());
                break;
            default:
                break;
        }
    }

    /** Disconnects every client (at shutdown). */
    public void closeAll() {
        for (String id : new ArrayList<>(clients.keySet())) {
            ClientState cs = clients.remove(id);
            if (cs != null) {
                cs.close();
            }
        }
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter sw = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(sw));
        return sw.toString();
    }

    /**
     * Runs a load natively (capability perf.workload; see sdk.Workload). The driver's cancel or
     * the stream's deadline cancels the call, which stops the workers.
     */
    @Override
    public void workload(etcdfit.performer.v1.Performer.WorkloadRequest request,
                         StreamObserver<etcdfit.performer.v1.Performer.WorkloadReport> out) {
        dev.etcdfit.performer.jetcd.sdk.Workload.Spec spec;
        try {
            spec = dev.etcdfit.performer.jetcd.sdk.Workload.parse(request);
        } catch (dev.etcdfit.performer.jetcd.sdk.Workload.Invalid e) {
            Log.line("Workload refused: " + e.getMessage());
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        // The call's Context: grpc-java cancels it from the transport thread at once (the driver's
        // cancel or deadline), while an onCancelHandler would wait for this method to return
        // (a call's callbacks are serialised).
        Context ctx = Context.current();
        java.util.function.BooleanSupplier cancelled = ctx::isCancelled;
        Log.line("Workload clients=" + request.getClients() + " concurrency=" + request.getConcurrency()
            + " keys=" + request.getKeySpace() + " duration_ms=" + request.getDurationMs()
            + " total=" + request.getTotalOps() + " rate=" + request.getTargetRate());
        long t0 = System.nanoTime();
        try {
            dev.etcdfit.performer.jetcd.sdk.Workload.run(spec, r -> {
                if (!cancelled.getAsBoolean()) {
                    out.onNext(r);
                }
            }, cancelled);
            if (!cancelled.getAsBoolean()) {
                out.onCompleted();
            }
            Log.line("Workload " + (cancelled.getAsBoolean() ? "cancelled" : "done") + " after "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
        } catch (RuntimeException e) {
            Log.line("Workload failed: " + e);
            if (!cancelled.getAsBoolean()) {
                out.onError(Status.INTERNAL.withDescription("Workload failed in the performer: " + e).asRuntimeException());
            }
        }
    }
}
