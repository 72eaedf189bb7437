package dev.etcdfit.performer.jetcd.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Status;

import etcdfit.performer.v1.Performer;
import etcdfit.performer.v1.Performer.ConnectRequest;
import etcdfit.performer.v1.Performer.LeaseKeepAliveCollectCommand;
import etcdfit.performer.v1.Performer.LeaseKeepAliveCollectResult;
import etcdfit.performer.v1.Performer.WatchCollectCommand;
import etcdfit.performer.v1.Performer.WatchCollectResult;

/** Keep-alive and watch observers fed the way jetcd calls them, and the Connect options; no etcd. */
class StreamsTest {
    private static LeaseKeepAliveResponse renewal(long ttl, long revision) {
        return new LeaseKeepAliveResponse(io.etcd.jetcd.api.LeaseKeepAliveResponse.newBuilder()
            .setID(7).setTTL(ttl).setHeader(ResponseHeader.newBuilder().setRevision(revision)).build());
    }

    private static LeaseKeepAliveCollectResult collect(KeepAliveHandle h, int min, int timeoutMs) throws InterruptedException {
        return h.collect(LeaseKeepAliveCollectCommand.newBuilder().setHandle("k").setMinResponses(min)
            .setTimeoutMs(timeoutMs).build()).getOk().getLeaseKeepAliveCollect();
    }

    @Test
    void keepAliveRenewalsThenLeaseNotFoundEndsTheStream() throws InterruptedException {
        KeepAliveHandle h = new KeepAliveHandle("k", 7);
        h.onNext(renewal(2, 10));
        h.onNext(renewal(2, 11));
        LeaseKeepAliveCollectResult r = collect(h, 2, 1000);
        assertEquals(2, r.getResponsesCount());
        assertEquals(2, r.getResponses(0).getTtl());
        assertEquals(11, r.getResponses(1).getHeader().getRevision());
        assertTrue(r.getResponses(0).getReceivedNs() <= r.getResponses(1).getReceivedNs());
        assertFalse(r.getEnded());
        // what LeaseImpl reports when etcd answers TTL 0 (the lease was revoked elsewhere)
        h.onError(EtcdExceptionFactory.newEtcdException(ErrorCode.NOT_FOUND, "etcdserver: requested lease not found"));
        r = collect(h, 1, 1000);
        assertTrue(r.getEnded());
        assertEquals(Performer.ErrorCode.LEASE_NOT_FOUND, r.getEndError().getCode());
        assertTrue(r.getEndError().getTyped());
        assertEquals(0, r.getResponsesCount());
    }

    @Test
    void keepAliveTransportErrorIsNotTheEndUntilJetcdGivesUp() throws InterruptedException {
        KeepAliveHandle h = new KeepAliveHandle("k", 7);
        // 0.8.x: the stream broke, jetcd reopens it 500 ms later
        h.onError(EtcdExceptionFactory.toEtcdException(Status.UNAVAILABLE.withDescription("Network closed")));
        long t0 = System.nanoTime();
        LeaseKeepAliveCollectResult r = collect(h, 1, 200);
        assertTrue(System.nanoTime() - t0 >= 150_000_000L, "waited for the timeout");
        assertFalse(r.getEnded());
        // LeaseImpl.DeadLine: no renewal before the lease's deadline
        h.onCompleted();
        r = collect(h, 1, 1000);
        assertTrue(r.getEnded());
        assertEquals(Performer.ErrorCode.UNAVAILABLE, r.getEndError().getCode());
    }

    @Test
    void keepAliveClosedClientEndsAndStopEnds() throws InterruptedException {
        KeepAliveHandle h = new KeepAliveHandle("k", 7);
        h.onError(EtcdExceptionFactory.newClosedLeaseClientException());
        assertTrue(h.isEnded());
        KeepAliveHandle s = new KeepAliveHandle("s", 8);
        s.onNext(renewal(5, 3));
        assertTrue(s.stop().hasOk());
        LeaseKeepAliveCollectResult r = collect(s, 5, 1000);
        assertTrue(r.getEnded());
        assertFalse(r.hasEndError());
        assertEquals(1, r.getResponsesCount(), "renewals before the stop are still reported");
        s.onNext(renewal(5, 4)); // a late renewal after the stop is dropped
        assertEquals(0, collect(s, 0, 10).getResponsesCount());
    }

    private static WatchResponse watchResponse(boolean created, long... modRevisions) {
        io.etcd.jetcd.api.WatchResponse.Builder b = io.etcd.jetcd.api.WatchResponse.newBuilder()
            .setCreated(created).setHeader(ResponseHeader.newBuilder().setRevision(created ? 1 : modRevisions[0]));
        for (long rev : modRevisions) {
            b.addEvents(io.etcd.jetcd.api.Event.newBuilder().setKv(io.etcd.jetcd.api.KeyValue.newBuilder()
                .setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).setModRevision(rev)));
        }
        return new WatchResponse(b.build());
    }

    private static WatchCollectResult collect(WatchHandle h) throws InterruptedException {
        return h.collect(WatchCollectCommand.newBuilder().setHandle("w").setMinEvents(0).setTimeoutMs(10).build())
            .getOk().getWatchCollect();
    }

    @Test
    void watchResponsesAreNumberedAndRetriedErrorsReported() throws InterruptedException {
        WatchHandle h = new WatchHandle("w");
        h.onNext(watchResponse(true));
        h.onNext(watchResponse(false, 5, 5));
        h.onNext(watchResponse(false, 6));
        // a retried error (jetcd resumes 500 ms later), then the re-created watch and an event
        h.onError(EtcdExceptionFactory.toEtcdException(Status.UNAVAILABLE.withDescription("Network closed")));
        h.onNext(watchResponse(true));
        h.onNext(watchResponse(false, 7));
        WatchCollectResult r = collect(h);
        List<Long> responses = r.getEventsList().stream().map(Performer.WatchEvent::getResponse).toList();
        assertEquals(List.of(2L, 2L, 3L, 5L), responses); // 1 and 4 are the created notifications
        assertFalse(r.getEnded());
        assertEquals(1, r.getErrorsCount());
        assertEquals(Performer.ErrorCode.UNAVAILABLE, r.getErrors(0).getCode());
        assertTrue(r.getErrors(0).getTyped());
        assertEquals(0, collect(h).getErrorsCount(), "errors are reported once");
    }

    @Test
    void watchErrorThatEndsItIsTheEndErrorOnly() throws InterruptedException {
        WatchHandle h = new WatchHandle("w");
        h.onNext(watchResponse(true));
        h.onError(EtcdExceptionFactory.newCompactedException(3));
        h.onCompleted();
        WatchCollectResult r = collect(h);
        assertTrue(r.getEnded());
        assertEquals(Performer.ErrorCode.COMPACTED, r.getEndError().getCode());
        assertEquals(3, r.getCompactRevision());
        assertEquals(0, r.getErrorsCount());
    }

    @Test
    void connectOptionsGoToTheBuilder() {
        ConnectRequest req = ConnectRequest.newBuilder().addEndpoints("http://127.0.0.1:2379").setDialTimeoutMs(1500)
            .setKeepaliveTimeMs(12000).setKeepaliveTimeoutMs(3000).build();
        assertNull(SdkClient.unsupportedOption(req));
        ClientBuilder b = SdkClient.builder(req);
        assertEquals(Duration.ofMillis(1500), b.connectTimeout());
        assertEquals(Duration.ofMillis(12000), b.keepaliveTime());
        assertEquals(Duration.ofMillis(3000), b.keepaliveTimeout());
        ClientBuilder d = SdkClient.builder(ConnectRequest.newBuilder().addEndpoints("http://127.0.0.1:2379").build());
        assertEquals(Duration.ofMillis(SdkClient.DEFAULT_DIAL_TIMEOUT_MS), d.connectTimeout());
        assertEquals(Duration.ofSeconds(30), d.keepaliveTime(), "jetcd's default is kept");
    }

    @Test
    void unclaimedConnectOptionsAreNamed() {
        assertTrue(SdkClient.unsupportedOption(ConnectRequest.newBuilder().setBlockUntilConnected(true).build())
            .startsWith("block_until_connected"));
        assertTrue(SdkClient.unsupportedOption(ConnectRequest.newBuilder().setAutoSyncIntervalMs(1000).build())
            .startsWith("auto_sync_interval_ms"));
    }
}
