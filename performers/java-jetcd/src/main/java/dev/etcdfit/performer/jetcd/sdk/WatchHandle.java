package dev.etcdfit.performer.jetcd.sdk;

import java.util.ArrayList;
import java.util.List;

import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;

import etcdfit.performer.v1.Performer.CommandOk;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.EventType;
import etcdfit.performer.v1.Performer.WatchCancelResult;
import etcdfit.performer.v1.Performer.WatchCollectCommand;
import etcdfit.performer.v1.Performer.WatchCollectResult;

/**
 * One jetcd watch (Watch.watch(key, option, listener)): this object is its listener and
 * buffers what jetcd delivers until WatchCollect takes it.
 *
 * <p>
 * jetcd's listener contract (io.etcd.jetcd.impl.WatchImpl.WatcherImpl): onNext for the
 * created response (with withCreateNotify), for progress notifications and for events;
 * onError for a failure, which jetcd either retries by itself (the watch goes on: gRPC
 * UNAVAILABLE / INTERNAL) or follows with onCompleted (the watch is over: e.g. the server
 * cancelled it because the start revision was compacted, reported as CompactedException);
 * onCompleted also when the watcher is closed. So "ended" is onCompleted, and its end error
 * is the error jetcd reported just before it (jetcd calls onCompleted on the same thread
 * right after that onError). Every other onError is an error the SDK surfaced while the
 * watch went on (jetcd re-creates the watch 500 ms later from the revision after the last
 * event it delivered): WatchCollectResult.errors.
 *
 * <p>
 * watch.response_boundaries: every onNext is one etcd WatchResponse handed to the
 * application (the created notification and progress notifications included); its events
 * carry that response's 1-based sequence number.
 */
public final class WatchHandle implements Watch.Listener {
    /** WatchCollect's wait when timeout_ms is 0. */
    public static final long DEFAULT_COLLECT_TIMEOUT_MS = 5000;

    private final String handle;
    private Watch.Watcher watcher;

    // guarded by this
    private boolean created;
    private final List<etcdfit.performer.v1.Performer.WatchEvent> events = new ArrayList<>();
    private final List<Long> progress = new ArrayList<>();
    /** Errors surfaced while the watch went on, not yet collected. */
    private final List<Throwable> errors = new ArrayList<>();
    /** Responses handed over so far (watch.response_boundaries). */
    private long responses;
    private boolean ended;
    private Throwable lastError;
    private Throwable endError;

    public WatchHandle(String handle) {
        this.handle = handle;
    }

    public String handle() {
        return handle;
    }

    synchronized void attach(Watch.Watcher w) {
        this.watcher = w;
    }

    // ------------------------------------------------------------------ listener (jetcd's threads)

    @Override
    public void onNext(WatchResponse response) {
        synchronized (this) {
            responses++;
            if (response.isCreatedNotify()) {
                created = true;
            } else {
                if (response.isProgressNotify()) {
                    progress.add(response.getHeader().getRevision());
                }
                for (WatchEvent ev : response.getEvents()) {
                    events.add(event(ev, responses));
                }
            }
            lastError = null; // the watch is alive again after a retried error
            notifyAll();
        }
    }

    @Override
    public void onError(Throwable throwable) {
        synchronized (this) {
            lastError = throwable;
            errors.add(throwable);
            notifyAll();
        }
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            ended = true;
            if (endError == null) {
                endError = lastError;
                // the error that ended the watch is end_error, not one it went on after
                if (lastError != null && !errors.isEmpty() && errors.get(errors.size() - 1) == lastError) {
                    errors.remove(errors.size() - 1);
                }
            }
            notifyAll();
        }
    }

    private static etcdfit.performer.v1.Performer.WatchEvent event(WatchEvent ev, long response) {
        etcdfit.performer.v1.Performer.WatchEvent.Builder b = etcdfit.performer.v1.Performer.WatchEvent.newBuilder()
            .setResponse(response);
        switch (ev.getEventType()) {
            case PUT:
                b.setType(EventType.EVENT_TYPE_PUT);
                break;
            case DELETE:
                b.setType(EventType.EVENT_TYPE_DELETE);
                break;
            default:
                b.setTypeValue(-1);
                break;
        }
        b.setKv(Convert.keyValue(ev.getKeyValue()));
        if (!Convert.isAbsent(ev.getPrevKV())) {
            b.setPrevKv(Convert.keyValue(ev.getPrevKV()));
        }
        return b.build();
    }

    // ------------------------------------------------------------------ performer side

    /** Waits until the server confirmed the watch or the watch ended; false on timeout. */
    synchronized boolean awaitCreated(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!created && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000L));
        }
        return true;
    }

    public synchronized boolean isEnded() {
        return ended;
    }

    /**
     * Waits until min_events events are buffered (min_events 0: no threshold, wait the
     * whole timeout), the watch has ended, or the timeout passed; then returns and clears
     * the buffer.
     */
    public CommandResult collect(WatchCollectCommand c) throws InterruptedException {
        long timeoutMs = c.getTimeoutMs() != 0 ? Integer.toUnsignedLong(c.getTimeoutMs()) : DEFAULT_COLLECT_TIMEOUT_MS;
        long min = Integer.toUnsignedLong(c.getMinEvents());
        long call = Clock.now();
        long deadline = call + timeoutMs * 1_000_000L;
        synchronized (this) {
            while (!ended && !(min > 0 && events.size() >= min)) {
                long left = deadline - Clock.now();
                if (left <= 0) {
                    break;
                }
                long ms = left / 1_000_000L;
                int ns = (int) (left % 1_000_000L);
                wait(ms, ns);
            }
            long ret = Clock.now();
            WatchCollectResult.Builder r = WatchCollectResult.newBuilder()
                .addAllEvents(events)
                .setEnded(ended)
                .addAllProgressRevisions(progress);
            for (Throwable e : errors) {
                r.addErrors(ErrorMapper.map(e));
            }
            if (ended && endError != null) {
                r.setEndError(ErrorMapper.map(endError));
                Throwable e = ErrorMapper.unwrap(endError);
                if (e instanceof CompactedException) {
                    r.setCompactRevision(((CompactedException) e).getCompactedRevision());
                }
            }
            events.clear();
            progress.clear();
            errors.clear();
            return Results.ok(call, ret, CommandOk.newBuilder().setWatchCollect(r).build());
        }
    }

    /** Closes the jetcd watcher (it cancels the server-side watch and calls onCompleted). */
    public CommandResult cancel() {
        Watch.Watcher w;
        synchronized (this) {
            w = watcher;
        }
        long call = Clock.now();
        if (w != null) {
            w.close();
        }
        long ret = Clock.now();
        return Results.ok(call, ret, CommandOk.newBuilder().setWatchCancel(WatchCancelResult.getDefaultInstance()).build());
    }

    /** Closes the watcher without a result (Disconnect, shutdown). */
    public void close() {
        Watch.Watcher w;
        synchronized (this) {
            w = watcher;
        }
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                // closing is best effort
            }
        }
    }
}
