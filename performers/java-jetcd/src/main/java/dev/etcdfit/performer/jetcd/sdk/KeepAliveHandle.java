package dev.etcdfit.performer.jetcd.sdk;

import java.util.ArrayList;
import java.util.List;

import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

import etcdfit.performer.v1.Performer.CommandOk;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.ErrorCode;
import etcdfit.performer.v1.Performer.KeepAliveResponse;
import etcdfit.performer.v1.Performer.LeaseKeepAliveCollectCommand;
import etcdfit.performer.v1.Performer.LeaseKeepAliveCollectResult;
import etcdfit.performer.v1.Performer.LeaseKeepAliveStopResult;
import etcdfit.performer.v1.Performer.SdkError;

/**
 * One jetcd keep-alive stream (Lease.keepAlive(id, observer), capability lease.keepalive):
 * this object is the observer and buffers the renewals jetcd hands over until
 * LeaseKeepAliveCollect takes them.
 *
 * <p>
 * jetcd's observer contract (io.etcd.jetcd.impl.LeaseImpl): onNext for every renewal with a
 * TTL above 0; onError(EtcdException NOT_FOUND "requested lease not found") when etcd
 * answers TTL 0 (the lease is gone), after which jetcd has dropped the lease; onCompleted
 * when no renewal arrived before the lease's deadline (its last TTL; the first one after
 * keepaliveTimeout or 5 s), after which jetcd has dropped it too; onError(ClosedClientException)
 * when the lease client is closed. In 0.8.x a failed keep-alive stream is also reported with
 * onError (the raw error as an EtcdException) while jetcd reopens the stream 500 ms later and
 * goes on renewing; 0.7.x reopens it without telling the observer. So the stream has ended
 * after onCompleted, after a lease-not-found or closed-client error, or when the performer
 * stopped it; any other error is kept and becomes the end error if jetcd gives up later.
 */
public final class KeepAliveHandle implements StreamObserver<LeaseKeepAliveResponse> {
    /** LeaseKeepAliveCollect's wait when timeout_ms is 0. */
    public static final long DEFAULT_COLLECT_TIMEOUT_MS = 5000;

    private final String handle;
    private final long leaseId;

    // guarded by this
    private CloseableClient stream;
    private final List<KeepAliveResponse> responses = new ArrayList<>();
    private boolean ended;
    private Throwable lastError;
    private Throwable endError;

    public KeepAliveHandle(String handle, long leaseId) {
        this.handle = handle;
        this.leaseId = leaseId;
    }

    public String handle() {
        return handle;
    }

    public long leaseId() {
        return leaseId;
    }

    synchronized void attach(CloseableClient s) {
        this.stream = s;
    }

    // ------------------------------------------------------------------ observer (jetcd's threads)

    @Override
    public void onNext(LeaseKeepAliveResponse r) {
        long now = Clock.now();
        synchronized (this) {
            if (ended) {
                return;
            }
            KeepAliveResponse.Builder b = KeepAliveResponse.newBuilder().setTtl(r.getTTL()).setReceivedNs(now);
            if (r.getHeader() != null) {
                b.setHeader(Convert.header(r.getHeader()));
            }
            responses.add(b.build());
            lastError = null;
            if (r.getTTL() <= 0) { // jetcd reports this as an error itself; never seen as a response
                ended = true;
            }
            notifyAll();
        }
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            if (ended) {
                return;
            }
            lastError = t;
            if (isFinal(t)) {
                ended = true;
                endError = t;
            }
            notifyAll();
        }
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            if (!ended) {
                ended = true;
                endError = lastError;
            }
            notifyAll();
        }
    }

    /** The errors after which jetcd no longer keeps the lease alive (see the class comment). */
    static boolean isFinal(Throwable t) {
        Throwable e = ErrorMapper.unwrap(t);
        if (e instanceof ClosedClientException) {
            return true;
        }
        SdkError m = ErrorMapper.map(e);
        return m.getCode() == ErrorCode.LEASE_NOT_FOUND;
    }

    // ------------------------------------------------------------------ performer side

    public synchronized boolean isEnded() {
        return ended;
    }

    /**
     * Waits until min_responses renewals are buffered (0: no threshold, wait the whole
     * timeout), the stream ended, or the timeout passed; then returns and clears the buffer.
     */
    public CommandResult collect(LeaseKeepAliveCollectCommand c) throws InterruptedException {
        long timeoutMs = c.getTimeoutMs() != 0 ? Integer.toUnsignedLong(c.getTimeoutMs()) : DEFAULT_COLLECT_TIMEOUT_MS;
        long min = Integer.toUnsignedLong(c.getMinResponses());
        long call = Clock.now();
        long deadline = call + timeoutMs * 1_000_000L;
        synchronized (this) {
            while (!ended && !(min > 0 && responses.size() >= min)) {
                long left = deadline - Clock.now();
                if (left <= 0) {
                    break;
                }
                wait(left / 1_000_000L, (int) (left % 1_000_000L));
            }
            long ret = Clock.now();
            LeaseKeepAliveCollectResult.Builder r = LeaseKeepAliveCollectResult.newBuilder()
                .addAllResponses(responses)
                .setEnded(ended);
            if (ended && endError != null) {
                r.setEndError(ErrorMapper.map(endError));
            }
            responses.clear();
            return Results.ok(call, ret, CommandOk.newBuilder().setLeaseKeepAliveCollect(r).build());
        }
    }

    /** Closes jetcd's keep-alive for this observer (CloseableClient.close) and marks it ended. */
    public CommandResult stop() {
        long call = Clock.now();
        close();
        long ret = Clock.now();
        return Results.ok(call, ret,
            CommandOk.newBuilder().setLeaseKeepAliveStop(LeaseKeepAliveStopResult.getDefaultInstance()).build());
    }

    /** Stops the stream without a result (Stop, Disconnect, shutdown). */
    public void close() {
        CloseableClient s;
        synchronized (this) {
            s = stream;
            stream = null;
            ended = true;
            notifyAll();
        }
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // closing is best effort
            }
        }
    }
}
