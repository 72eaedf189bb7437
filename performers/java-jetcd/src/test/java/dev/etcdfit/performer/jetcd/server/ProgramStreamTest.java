package dev.etcdfit.performer.jetcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import etcdfit.performer.v1.Performer.Command;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.ConnectRequest;
import etcdfit.performer.v1.Performer.ConnectResponse;
import etcdfit.performer.v1.Performer.ExecuteRequest;
import etcdfit.performer.v1.Performer.ExecuteResponse;
import etcdfit.performer.v1.Performer.ExecuteStreamRequest;
import etcdfit.performer.v1.Performer.ExecuteStreamResponse;
import etcdfit.performer.v1.Performer.HarnessError;
import etcdfit.performer.v1.Performer.LatchReleased;
import etcdfit.performer.v1.Performer.LockAcquireCommand;
import etcdfit.performer.v1.Performer.LockReleaseCommand;
import etcdfit.performer.v1.Performer.Program;
import etcdfit.performer.v1.Performer.SignalCommand;
import etcdfit.performer.v1.Performer.WaitCommand;

/** ExecuteStream without an etcd: latches, and the recipe commands that fail before any call. */
class ProgramStreamTest {

    /** Collects a stream's responses from the program thread; the test waits for its end. */
    static final class Responses implements StreamObserver<ExecuteStreamResponse> {
        final List<ExecuteStreamResponse> values = new ArrayList<>();
        Throwable error;
        boolean completed;
        StreamObserver<ExecuteStreamRequest> requests;

        @Override
        public synchronized void onNext(ExecuteStreamResponse r) {
            values.add(r);
            if (r.hasSignalled() && requests != null) { // the driver relays the latch back
                requests.onNext(ExecuteStreamRequest.newBuilder()
                    .setLatchReleased(LatchReleased.newBuilder().setLatch(r.getSignalled().getLatch())).build());
            }
            notifyAll();
        }

        @Override
        public synchronized void onError(Throwable t) {
            error = t;
            notifyAll();
        }

        @Override
        public synchronized void onCompleted() {
            completed = true;
            notifyAll();
        }

        synchronized void awaitEnd() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!completed && error == null && System.nanoTime() < deadline) {
                TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
            }
            assertTrue(completed || error != null, "the stream did not end within 10 s");
        }

        synchronized List<CommandResult> results() {
            List<CommandResult> out = new ArrayList<>();
            for (ExecuteStreamResponse r : values) {
                if (r.hasResult()) {
                    assertEquals(out.size(), r.getResult().getIndex(), "results in program order");
                    out.add(r.getResult().getResult());
                }
            }
            return out;
        }
    }

    static String connect(PerformerService s) {
        PerformerServiceTest.Capture<ConnectResponse> c = new PerformerServiceTest.Capture<>();
        s.connect(ConnectRequest.newBuilder().addEndpoints("http://127.0.0.1:1").build(), c);
        return c.values.get(0).getClientId();
    }

    static Command signal(String latch) {
        return Command.newBuilder().setSignal(SignalCommand.newBuilder().setLatch(latch)).build();
    }

    static Command await(String latch, int ms) {
        return Command.newBuilder().setWait(WaitCommand.newBuilder().setLatch(latch).setTimeoutMs(ms)).build();
    }

    static Responses run(PerformerService s, String client, List<Command> cmds) throws InterruptedException {
        Responses out = new Responses();
        StreamObserver<ExecuteStreamRequest> in = s.executeStream(out);
        synchronized (out) {
            out.requests = in;
        }
        in.onNext(ExecuteStreamRequest.newBuilder().setProgram(ExecuteRequest.newBuilder().setClientId(client)
            .setProgram(Program.newBuilder().addAllCommands(cmds))).build());
        out.awaitEnd();
        return out;
    }

    @Test
    void signalsAndWaits() throws InterruptedException {
        PerformerService s = new PerformerService();
        String id = connect(s);
        Responses out = run(s, id, List.of(signal("a"), await("a", 5000), await("never", 50),
            Command.newBuilder().setLockRelease(LockReleaseCommand.newBuilder().setHandle("nope")).build(),
            Command.newBuilder().setLockAcquire(LockAcquireCommand.newBuilder().setHandle("t").setTryOnly(true)).build()));
        assertTrue(out.completed);
        List<CommandResult> rs = out.results();
        assertEquals(5, rs.size());
        assertTrue(rs.get(0).getOk().hasSignal());
        assertTrue(rs.get(1).getOk().getWait().getReleased(), "released by the relayed latch");
        assertFalse(rs.get(2).getOk().getWait().getReleased(), "timed out");
        assertEquals(HarnessError.Kind.BAD_REQUEST, rs.get(3).getHarnessError().getKind());
        assertEquals(HarnessError.Kind.UNIMPLEMENTED, rs.get(4).getHarnessError().getKind(), "no try-lock in jetcd");
        assertTrue(out.values.get(out.values.size() - 1).hasDone(), "done is the last message");
        assertEquals(1, out.values.stream().filter(ExecuteStreamResponse::hasSignalled).count());
        s.closeAll();
    }

    @Test
    void unknownClientAndBadFirstMessage() throws InterruptedException {
        PerformerService s = new PerformerService();
        Responses out = run(s, "missing", List.of(signal("a")));
        assertEquals(HarnessError.Kind.BAD_REQUEST, out.results().get(0).getHarnessError().getKind());

        Responses bad = new Responses();
        s.executeStream(bad).onNext(ExecuteStreamRequest.newBuilder()
            .setLatchReleased(LatchReleased.newBuilder().setLatch("x")).build());
        assertNotNull(bad.error);
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(bad.error).getCode());
    }

    @Test
    void latchesNeedTheStream() {
        PerformerService s = new PerformerService();
        String id = connect(s);
        PerformerServiceTest.Capture<ExecuteResponse> c = new PerformerServiceTest.Capture<>();
        s.execute(ExecuteRequest.newBuilder().setClientId(id).setProgram(Program.newBuilder()
            .addCommands(signal("a")).addCommands(await("a", 10))).build(), c);
        for (CommandResult r : c.values.get(0).getResultsList()) {
            assertEquals(HarnessError.Kind.BAD_REQUEST, r.getHarnessError().getKind());
        }
        s.closeAll();
    }
}
