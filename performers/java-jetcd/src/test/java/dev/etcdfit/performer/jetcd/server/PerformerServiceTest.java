package dev.etcdfit.performer.jetcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import dev.etcdfit.performer.jetcd.sdk.Capabilities;

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
import etcdfit.performer.v1.Performer.HarnessError;
import etcdfit.performer.v1.Performer.LeaseGrantCommand;
import etcdfit.performer.v1.Performer.LeaseKeepAliveCollectCommand;
import etcdfit.performer.v1.Performer.LeaseKeepAliveStartCommand;
import etcdfit.performer.v1.Performer.LeaseKeepAliveStopCommand;
import etcdfit.performer.v1.Performer.LeaseLeasesCommand;
import etcdfit.performer.v1.Performer.Program;
import etcdfit.performer.v1.Performer.ProtocolVersion;
import etcdfit.performer.v1.Performer.PutCommand;
import etcdfit.performer.v1.Performer.WatchCancelCommand;
import etcdfit.performer.v1.Performer.WatchCollectCommand;
import etcdfit.performer.v1.Performer.WatchStartCommand;

/** The protocol loop without an etcd: jetcd connects lazily, so nothing here reaches the network. */
class PerformerServiceTest {

    static final class Capture<T> implements StreamObserver<T> {
        final List<T> values = new ArrayList<>();
        Throwable error;
        boolean completed;

        @Override
        public void onNext(T value) {
            values.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }

    @Test
    void describe() {
        Capture<DescribeResponse> c = new Capture<>();
        new PerformerService().describe(DescribeRequest.getDefaultInstance(), c);
        DescribeResponse d = c.values.get(0);
        assertEquals("java-jetcd", d.getName());
        assertEquals("java", d.getLanguage());
        assertEquals("io.etcd:jetcd-core", d.getSdkPackage());
        assertEquals("0.1.0", d.getPerformerVersion());
        assertEquals(ProtocolVersion.PROTOCOL_VERSION_1, d.getProtocolVersion());
        assertEquals(Capabilities.forVersion(d.getSdkVersion()), d.getCapabilitiesList());
        assertTrue(c.completed);
    }

    private static String connect(PerformerService s) {
        Capture<ConnectResponse> c = new Capture<>();
        s.connect(ConnectRequest.newBuilder().addEndpoints("http://127.0.0.1:1").setRequestTimeoutMs(500).build(), c);
        assertNull(c.error);
        return c.values.get(0).getClientId();
    }

    @Test
    void everyCommandGetsExactlyOneResult() {
        PerformerService s = new PerformerService();
        String id = connect(s);
        List<Command> cmds = List.of(
            Command.getDefaultInstance(),
            Command.newBuilder().setWatchCollect(WatchCollectCommand.newBuilder().setHandle("nope")).build(),
            Command.newBuilder().setWatchCancel(WatchCancelCommand.newBuilder().setHandle("nope")).build(),
            Command.newBuilder().setWatchStart(WatchStartCommand.getDefaultInstance()).build(),
            Command.newBuilder().setLeaseGrant(LeaseGrantCommand.newBuilder().setTtl(5).setId(7)).build(),
            Command.newBuilder().setLeaseLeases(LeaseLeasesCommand.getDefaultInstance()).build(),
            Command.newBuilder().setPut(PutCommand.newBuilder().setKey(ByteString.copyFromUtf8("k")).setIgnoreValue(true)).build());
        HarnessError.Kind[] want = {
            HarnessError.Kind.BAD_REQUEST, HarnessError.Kind.BAD_REQUEST, HarnessError.Kind.BAD_REQUEST,
            HarnessError.Kind.BAD_REQUEST, HarnessError.Kind.UNIMPLEMENTED, HarnessError.Kind.UNIMPLEMENTED,
            HarnessError.Kind.UNIMPLEMENTED};
        Capture<ExecuteResponse> c = new Capture<>();
        s.execute(ExecuteRequest.newBuilder().setClientId(id).setProgram(Program.newBuilder().addAllCommands(cmds)).build(), c);
        List<CommandResult> rs = c.values.get(0).getResultsList();
        assertEquals(cmds.size(), rs.size());
        for (int i = 0; i < rs.size(); i++) {
            assertEquals(want[i], rs.get(i).getHarnessError().getKind(), "result " + i + ": " + rs.get(i));
            assertTrue(rs.get(i).getCallNs() <= rs.get(i).getReturnNs());
        }
        Capture<DisconnectResponse> d = new Capture<>();
        s.disconnect(DisconnectRequest.newBuilder().setClientId(id).build(), d);
        assertTrue(d.completed);
    }

    @Test
    void unknownClient() {
        PerformerService s = new PerformerService();
        Capture<ExecuteResponse> c = new Capture<>();
        s.execute(ExecuteRequest.newBuilder().setClientId("missing").setProgram(Program.newBuilder()
            .addCommands(Command.getDefaultInstance()).addCommands(Command.getDefaultInstance())).build(), c);
        assertEquals(2, c.values.get(0).getResultsCount());
        assertEquals(HarnessError.Kind.BAD_REQUEST, c.values.get(0).getResults(0).getHarnessError().getKind());

        Capture<DisconnectResponse> d = new Capture<>();
        s.disconnect(DisconnectRequest.newBuilder().setClientId("missing").build(), d);
        assertNotNull(d.error);
        assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(d.error).getCode());
    }

    @Test
    void unclaimedConnectOptionsAreRefusedAndSdkFailuresAreData() {
        PerformerService s = new PerformerService();
        Capture<ConnectResponse> block = new Capture<>();
        s.connect(ConnectRequest.newBuilder().addEndpoints("http://127.0.0.1:1").setBlockUntilConnected(true).build(), block);
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(block.error).getCode());
        assertTrue(Status.fromThrowable(block.error).getDescription().contains("block_until_connected"));
        Capture<ConnectResponse> sync = new Capture<>();
        s.connect(ConnectRequest.newBuilder().addEndpoints("http://127.0.0.1:1").setAutoSyncIntervalMs(500).build(), sync);
        assertTrue(Status.fromThrowable(sync.error).getDescription().contains("auto_sync_interval_ms"));
        // jetcd's ClientBuilder refuses a malformed endpoint: the SDK's error, as data
        Capture<ConnectResponse> bad = new Capture<>();
        s.connect(ConnectRequest.newBuilder().addEndpoints("not a url::").build(), bad);
        assertNull(bad.error);
        ConnectResponse r = bad.values.get(0);
        assertTrue(r.getClientId().isEmpty());
        assertEquals(etcdfit.performer.v1.Performer.ErrorCode.INVALID_ARGUMENT, r.getError().getCode());
        assertTrue(r.getCallNs() > 0 && r.getCallNs() <= r.getReturnNs());
        Capture<ConnectResponse> ok = new Capture<>();
        s.connect(ConnectRequest.newBuilder().addEndpoints("http://127.0.0.1:1").setKeepaliveTimeMs(10000)
            .setKeepaliveTimeoutMs(2000).build(), ok);
        assertTrue(!ok.values.get(0).getClientId().isEmpty());
        assertTrue(ok.values.get(0).getCallNs() <= ok.values.get(0).getReturnNs());
        s.closeAll();
    }

    @Test
    void keepAliveCommandsCheckTheirHandles() {
        PerformerService s = new PerformerService();
        String id = connect(s);
        List<Command> cmds = List.of(
            Command.newBuilder().setLeaseKeepAliveCollect(LeaseKeepAliveCollectCommand.newBuilder().setHandle("nope")).build(),
            Command.newBuilder().setLeaseKeepAliveStop(LeaseKeepAliveStopCommand.newBuilder().setHandle("nope")).build(),
            Command.newBuilder().setLeaseKeepAliveStart(LeaseKeepAliveStartCommand.newBuilder().setHandle("k")).build(),
            Command.newBuilder().setLeaseKeepAliveStart(LeaseKeepAliveStartCommand.newBuilder().setId(5).setTtl(5)).build(),
            Command.newBuilder().setLeaseKeepAliveStart(LeaseKeepAliveStartCommand.newBuilder().setHandle("k").setId(5).setTtl(5)).build());
        Capture<ExecuteResponse> c = new Capture<>();
        s.execute(ExecuteRequest.newBuilder().setClientId(id).setProgram(Program.newBuilder().addAllCommands(cmds)).build(), c);
        List<CommandResult> rs = c.values.get(0).getResultsList();
        assertEquals(cmds.size(), rs.size());
        for (int i = 0; i < rs.size(); i++) {
            assertEquals(HarnessError.Kind.BAD_REQUEST, rs.get(i).getHarnessError().getKind(), "result " + i + ": " + rs.get(i));
        }
        s.closeAll();
    }

    @Test
    void connectWithoutEndpointsIsInvalid() {
        Capture<ConnectResponse> c = new Capture<>();
        new PerformerService().connect(ConnectRequest.getDefaultInstance(), c);
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(c.error).getCode());
    }
}
