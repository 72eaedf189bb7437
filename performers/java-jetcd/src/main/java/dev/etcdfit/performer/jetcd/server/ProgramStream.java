package dev.etcdfit.performer.jetcd.server;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import dev.etcdfit.performer.jetcd.Log;
import dev.etcdfit.performer.jetcd.sdk.Clock;
import dev.etcdfit.performer.jetcd.sdk.Results;

import etcdfit.performer.v1.Performer.Command;
import etcdfit.performer.v1.Performer.CommandOk;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.ExecuteRequest;
import etcdfit.performer.v1.Performer.ExecuteStreamRequest;
import etcdfit.performer.v1.Performer.ExecuteStreamResponse;
import etcdfit.performer.v1.Performer.HarnessError;
import etcdfit.performer.v1.Performer.LatchSignalled;
import etcdfit.performer.v1.Performer.ProgramDone;
import etcdfit.performer.v1.Performer.SignalResult;
import etcdfit.performer.v1.Performer.StreamedResult;
import etcdfit.performer.v1.Performer.WaitResult;

/**
 * One ExecuteStream call (capability stream.latches). The first request is the program; it
 * runs on a thread of its own (gRPC delivers this call's later requests, the latch releases,
 * on its executor meanwhile), under the client's exec lock like an Execute. A Signal sends
 * {@code signalled}; a Wait blocks until the driver released its latch on this stream, the
 * timeout passes or the stream ends. Each result is sent as it exists; {@code done} ends it.
 * Only the program thread writes to the response stream (after the first request).
 */
final class ProgramStream implements StreamObserver<ExecuteStreamRequest> {
    static final long DEFAULT_WAIT_MS = 10000;

    private final Function<String, PerformerService.ClientState> clients;
    private final StreamObserver<ExecuteStreamResponse> out;
    // guarded by this
    private final Set<String> released = new HashSet<>();
    private boolean ended;
    private boolean started;

    ProgramStream(Function<String, PerformerService.ClientState> clients, StreamObserver<ExecuteStreamResponse> out) {
        this.clients = clients;
        this.out = out;
    }

    @Override
    public void onNext(ExecuteStreamRequest req) {
        synchronized (this) {
            if (started) {
                if (req.hasLatchReleased()) {
                    released.add(req.getLatchReleased().getLatch());
                    notifyAll();
                }
                return;
            }
            started = true;
        }
        if (!req.hasProgram()) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("ExecuteStream: the first message must be the program")
                .asRuntimeException());
            return;
        }
        ExecuteRequest program = req.getProgram();
        Thread t = new Thread(() -> run(program), "program-" + program.getClientId());
        t.setDaemon(true);
        t.start();
    }

    @Override
    public synchronized void onError(Throwable t) {
        ended = true;
        notifyAll();
    }

    @Override
    public synchronized void onCompleted() {
        ended = true;
        notifyAll();
    }

    /** True once the latch is released; false at the timeout or when the driver's side ended. */
    synchronized boolean await(String latch, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!released.contains(latch) && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return released.contains(latch);
    }

    private void send(ExecuteStreamResponse r) {
        out.onNext(r);
    }

    private void result(int i, CommandResult r) {
        send(ExecuteStreamResponse.newBuilder().setResult(StreamedResult.newBuilder().setIndex(i).setResult(r)).build());
    }

    private void run(ExecuteRequest req) {
        List<Command> cmds = req.getProgram().getCommandsList();
        long t0 = System.nanoTime();
        Log.line("ExecuteStream " + req.getClientId() + " commands=" + cmds.size());
        try {
            PerformerService.ClientState cs = clients.apply(req.getClientId());
            if (cs == null) {
                for (int i = 0; i < cmds.size(); i++) {
                    result(i, Results.harness(HarnessError.Kind.BAD_REQUEST, "unknown client id \"" + req.getClientId() + "\""));
                }
            } else {
                cs.exec.lock();
                try {
                    for (int i = 0; i < cmds.size(); i++) {
                        result(i, runOne(cs, i, cmds.get(i)));
                    }
                } finally {
                    cs.exec.unlock();
                }
            }
            send(ExecuteStreamResponse.newBuilder().setDone(ProgramDone.getDefaultInstance()).build());
            out.onCompleted();
            Log.line(String.format("ExecuteStream %s done (%.1f ms)", req.getClientId(), (System.nanoTime() - t0) / 1e6));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
        } catch (RuntimeException e) { // the driver cancelled the stream: sending fails
            Log.line("ExecuteStream " + req.getClientId() + " ended early: " + e);
        }
    }

    private CommandResult runOne(PerformerService.ClientState cs, int i, Command cmd) throws InterruptedException {
        switch (cmd.getCommandCase()) {
            case SIGNAL: {
                long call = Clock.now();
                send(ExecuteStreamResponse.newBuilder().setSignalled(
                    LatchSignalled.newBuilder().setLatch(cmd.getSignal().getLatch()).setIndex(i)).build());
                return Results.ok(call, Clock.now(), CommandOk.newBuilder().setSignal(SignalResult.getDefaultInstance()).build());
            }
            case WAIT: {
                long call = Clock.now();
                long ms = cmd.getWait().getTimeoutMs() != 0 ? Integer.toUnsignedLong(cmd.getWait().getTimeoutMs()) : DEFAULT_WAIT_MS;
                boolean ok = await(cmd.getWait().getLatch(), ms);
                return Results.ok(call, Clock.now(), CommandOk.newBuilder().setWait(WaitResult.newBuilder().setReleased(ok)).build());
            }
            default: {
                CommandResult r = PerformerService.runOne(cs, cmd);
                return r != null ? r : Results.harness(HarnessError.Kind.INTERNAL, "performer produced no result");
            }
        }
    }
}
