package dev.etcdfit.performer.jetcd.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

import etcdfit.performer.v1.Performer.Command;
import etcdfit.performer.v1.Performer.CommandOk;
import etcdfit.performer.v1.Performer.CommandResult;
import etcdfit.performer.v1.Performer.ElectionCampaignCommand;
import etcdfit.performer.v1.Performer.ElectionCampaignResult;
import etcdfit.performer.v1.Performer.ElectionLeaderResult;
import etcdfit.performer.v1.Performer.ElectionObserveCollectCommand;
import etcdfit.performer.v1.Performer.ElectionObserveCollectResult;
import etcdfit.performer.v1.Performer.ElectionObserveStartResult;
import etcdfit.performer.v1.Performer.ElectionProclaimResult;
import etcdfit.performer.v1.Performer.ElectionResignResult;
import etcdfit.performer.v1.Performer.HarnessError;
import etcdfit.performer.v1.Performer.KeyValue;
import etcdfit.performer.v1.Performer.LockAcquireCommand;
import etcdfit.performer.v1.Performer.LockAcquireResult;
import etcdfit.performer.v1.Performer.LockReleaseResult;

/**
 * One client's concurrency recipes through jetcd's clients for etcd's server-side recipe
 * services: {@link io.etcd.jetcd.Lock} (v3lock: Lock(name, lease) blocks until the caller's
 * key {@code <name>/<lease hex>} has the lowest create revision under the name, the layout of
 * clientv3's concurrency.Mutex, so it excludes go holders too) and {@link Election}
 * (v3election: the layout of concurrency.Election). Both take a lease the caller owns; the
 * session of the protocol's session_ttl is a lease from Lease.grant(ttl) kept alive by
 * Lease.keepAlive(id, observer), the way clientv3's concurrency.Session does it, and revoked
 * at release / resign / Disconnect. Held recipe objects live under driver-chosen handles.
 * jetcd has no try-lock (v3lock has no such call): lock.try is not claimed.
 */
public final class Recipes {
    static final long DEFAULT_SESSION_TTL = 60;
    static final long DEFAULT_RECIPE_TIMEOUT_MS = 10000;
    static final long DEFAULT_COLLECT_TIMEOUT_MS = 5000;

    private final Client client;
    private final long requestTimeoutMs;
    private final Map<String, Held> locks = new ConcurrentHashMap<>();
    private final Map<String, Held> campaigns = new ConcurrentHashMap<>();
    private final Map<String, Observer> observers = new ConcurrentHashMap<>();

    public Recipes(Client client, long requestTimeoutMs) {
        this.client = client;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** A granted lease kept alive in the background (clientv3's Session, built from jetcd's Lease). */
    static final class Session implements StreamObserver<LeaseKeepAliveResponse> {
        final long lease;
        private CloseableClient keepAlive;

        Session(long lease) {
            this.lease = lease;
        }

        @Override
        public void onNext(LeaseKeepAliveResponse r) {
        }

        @Override
        public void onError(Throwable t) {
            dev.etcdfit.performer.jetcd.Log.line("recipe session lease " + lease + ": keep-alive error " + t);
        }

        @Override
        public void onCompleted() {
        }
    }

    /** A held lock (key) or a campaign (leader key) with its session. */
    static final class Held {
        final Session session;
        final ByteSequence key;
        final LeaderKey leader;

        Held(Session session, ByteSequence key, LeaderKey leader) {
            this.session = session;
            this.key = key;
            this.leader = leader;
        }
    }

    private <T> T await(CompletableFuture<T> f, long ms) throws Exception {
        try {
            return f.get(ms, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new TimeoutException("the jetcd call did not complete within " + ms + " ms");
        }
    }

    private Session openSession(long ttl) throws Exception {
        long id = await(client.getLeaseClient().grant(ttl > 0 ? ttl : DEFAULT_SESSION_TTL), requestTimeoutMs).getID();
        Session s = new Session(id);
        s.keepAlive = client.getLeaseClient().keepAlive(id, s);
        return s;
    }

    /** Stops the keep-alive and revokes the lease (its keys go with it); failures only logged. */
    private void closeSession(Session s) {
        if (s.keepAlive != null) {
            s.keepAlive.close();
        }
        try {
            await(client.getLeaseClient().revoke(s.lease), requestTimeoutMs);
        } catch (Exception e) {
            dev.etcdfit.performer.jetcd.Log.line("revoking recipe lease " + s.lease + ": " + e);
        }
    }

    private static long orTimeout(int ms, long def) {
        return ms != 0 ? Integer.toUnsignedLong(ms) : def;
    }

    private static CommandResult bad(String msg) {
        return Results.harness(HarnessError.Kind.BAD_REQUEST, msg);
    }

    /** Runs a recipe command, or returns null when cmd is not one. */
    public CommandResult run(Command cmd) throws InterruptedException {
        switch (cmd.getCommandCase()) {
            case LOCK_ACQUIRE:
                return lockAcquire(cmd.getLockAcquire());
            case LOCK_RELEASE:
                return lockRelease(cmd.getLockRelease().getHandle());
            case ELECTION_CAMPAIGN:
                return campaign(cmd.getElectionCampaign());
            case ELECTION_PROCLAIM: {
                Held c = campaigns.get(cmd.getElectionProclaim().getHandle());
                if (c == null) {
                    return bad("unknown campaign handle \"" + cmd.getElectionProclaim().getHandle() + "\"");
                }
                ByteSequence v = ByteSequence.from(cmd.getElectionProclaim().getValue().toByteArray());
                long call = Clock.now();
                try {
                    var r = await(client.getElectionClient().proclaim(c.leader, v), requestTimeoutMs);
                    return Results.ok(call, Clock.now(), CommandOk.newBuilder().setElectionProclaim(
                        ElectionProclaimResult.newBuilder().setHeader(Convert.header(r.getHeader()))).build());
                } catch (Exception e) {
                    return Results.sdkError(call, Clock.now(), e);
                }
            }
            case ELECTION_LEADER: {
                String h = cmd.getElectionLeader().getHandle();
                ByteSequence name;
                if (!h.isEmpty()) {
                    Held c = campaigns.get(h);
                    if (c == null) {
                        return bad("unknown campaign handle \"" + h + "\"");
                    }
                    name = c.leader.getName();
                } else {
                    name = ByteSequence.from(cmd.getElectionLeader().getName().toByteArray());
                }
                return leader(name);
            }
            case ELECTION_RESIGN:
                return resign(cmd.getElectionResign().getHandle());
            case ELECTION_OBSERVE_START:
                return observeStart(cmd.getElectionObserveStart().getHandle(),
                    ByteSequence.from(cmd.getElectionObserveStart().getName().toByteArray()));
            case ELECTION_OBSERVE_COLLECT: {
                Observer o = observers.get(cmd.getElectionObserveCollect().getHandle());
                if (o == null) {
                    return bad("unknown observer handle \"" + cmd.getElectionObserveCollect().getHandle() + "\"");
                }
                return o.collect(cmd.getElectionObserveCollect());
            }
            default:
                return null;
        }
    }

    // ------------------------------------------------------------------ locks

    private CommandResult lockAcquire(LockAcquireCommand c) throws InterruptedException {
        if (c.getHandle().isEmpty() || locks.containsKey(c.getHandle())) {
            return bad("lock_acquire needs a handle that is not live (got \"" + c.getHandle() + "\")");
        }
        if (c.getTryOnly()) {
            return Results.harness(HarnessError.Kind.UNIMPLEMENTED,
                "jetcd's Lock has no try-lock (Lock.lock(name, lease) blocks; etcd's v3lock service has no try): lock.try not claimed");
        }
        long timeout = orTimeout(c.getTimeoutMs(), DEFAULT_RECIPE_TIMEOUT_MS);
        long call = Clock.now();
        Session s;
        try {
            s = openSession(c.getSessionTtl());
        } catch (Exception e) {
            return Results.sdkError(call, Clock.now(), e);
        }
        io.etcd.jetcd.lock.LockResponse r;
        try {
            r = await(client.getLockClient().lock(ByteSequence.from(c.getName().toByteArray()), s.lease), timeout);
        } catch (Exception e) {
            long ret = Clock.now();
            closeSession(s); // a lock call still pending server-side loses its key with the lease
            return Results.sdkError(call, ret, e);
        }
        long ret = Clock.now();
        locks.put(c.getHandle(), new Held(s, r.getKey(), null));
        // v3lock's LockResponse has the key and a header only: the key's create revision
        // (the fencing token) is read once, outside the timed call.
        long created = 0;
        try {
            var got = await(client.getKVClient().get(r.getKey()), requestTimeoutMs);
            if (!got.getKvs().isEmpty()) {
                created = got.getKvs().get(0).getCreateRevision();
            }
        } catch (Exception e) {
            dev.etcdfit.performer.jetcd.Log.line("reading the lock key's create revision: " + e);
        }
        return Results.ok(call, ret, CommandOk.newBuilder().setLockAcquire(LockAcquireResult.newBuilder()
            .setAcquired(true).setKey(Convert.bytes(r.getKey())).setCreateRevision(created).setLease(s.lease)
            .setHeader(Convert.header(r.getHeader()))).build());
    }

    private CommandResult lockRelease(String handle) {
        Held l = locks.remove(handle);
        if (l == null) {
            return bad("unknown lock handle \"" + handle + "\"");
        }
        long call = Clock.now();
        try {
            var r = await(client.getLockClient().unlock(l.key), requestTimeoutMs);
            long ret = Clock.now();
            return Results.ok(call, ret, CommandOk.newBuilder().setLockRelease(LockReleaseResult.newBuilder()
                .setReleased(true).setHeader(Convert.header(r.getHeader()))).build());
        } catch (Exception e) {
            return Results.sdkError(call, Clock.now(), e);
        } finally {
            closeSession(l.session);
        }
    }

    // ------------------------------------------------------------------ elections

    private CommandResult campaign(ElectionCampaignCommand c) {
        if (c.getHandle().isEmpty() || campaigns.containsKey(c.getHandle())) {
            return bad("election_campaign needs a handle that is not live (got \"" + c.getHandle() + "\")");
        }
        long call = Clock.now();
        Session s;
        try {
            s = openSession(c.getSessionTtl());
        } catch (Exception e) {
            return Results.sdkError(call, Clock.now(), e);
        }
        try {
            var r = await(client.getElectionClient().campaign(ByteSequence.from(c.getName().toByteArray()), s.lease,
                ByteSequence.from(c.getValue().toByteArray())), orTimeout(c.getTimeoutMs(), DEFAULT_RECIPE_TIMEOUT_MS));
            long ret = Clock.now();
            LeaderKey k = r.getLeader();
            campaigns.put(c.getHandle(), new Held(s, k.getKey(), k));
            return Results.ok(call, ret, CommandOk.newBuilder().setElectionCampaign(ElectionCampaignResult.newBuilder()
                .setKey(Convert.bytes(k.getKey())).setCreateRevision(k.getRevision()).setLease(k.getLease())
                .setHeader(Convert.header(r.getHeader()))).build());
        } catch (Exception e) {
            long ret = Clock.now();
            closeSession(s);
            return Results.sdkError(call, ret, e);
        }
    }

    private CommandResult resign(String handle) {
        Held c = campaigns.remove(handle);
        if (c == null) {
            return bad("unknown campaign handle \"" + handle + "\"");
        }
        long call = Clock.now();
        try {
            var r = await(client.getElectionClient().resign(c.leader), requestTimeoutMs);
            long ret = Clock.now();
            return Results.ok(call, ret, CommandOk.newBuilder().setElectionResign(
                ElectionResignResult.newBuilder().setHeader(Convert.header(r.getHeader()))).build());
        } catch (Exception e) {
            return Results.sdkError(call, Clock.now(), e);
        } finally {
            closeSession(c.session);
        }
    }

    private CommandResult leader(ByteSequence name) {
        long call = Clock.now();
        try {
            LeaderResponse r = await(client.getElectionClient().leader(name), requestTimeoutMs);
            long ret = Clock.now();
            ElectionLeaderResult.Builder b = ElectionLeaderResult.newBuilder().setHeader(Convert.header(r.getHeader()));
            if (r.getKv() != null && !Convert.isAbsent(r.getKv())) {
                b.setLeader(Convert.keyValue(r.getKv()));
            }
            return Results.ok(call, ret, CommandOk.newBuilder().setElectionLeader(b).build());
        } catch (Exception e) {
            return Results.sdkError(call, Clock.now(), e);
        }
    }

    /**
     * Election.observe(name, listener): v3election's Observe stream, one LeaderResponse per
     * leadership. jetcd returns no handle to cancel it (observe is void), so a closed observer
     * only stops buffering; the stream ends with the client (Disconnect).
     */
    static final class Observer implements Election.Listener {
        private final List<KeyValue> leaders = new ArrayList<>();
        private boolean ended;
        private boolean closed;

        @Override
        public synchronized void onNext(LeaderResponse r) {
            if (!closed && r.getKv() != null && !Convert.isAbsent(r.getKv())) {
                leaders.add(Convert.keyValue(r.getKv()));
                notifyAll();
            }
        }

        @Override
        public synchronized void onError(Throwable t) {
            dev.etcdfit.performer.jetcd.Log.line("election observer ended with " + t);
            ended = true;
            notifyAll();
        }

        @Override
        public synchronized void onCompleted() {
            ended = true;
            notifyAll();
        }

        synchronized void close() {
            closed = true;
            notifyAll();
        }

        synchronized CommandResult collect(ElectionObserveCollectCommand c) throws InterruptedException {
            long call = Clock.now();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(orTimeout(c.getTimeoutMs(), DEFAULT_COLLECT_TIMEOUT_MS));
            while (!(c.getMinLeaders() > 0 && leaders.size() >= c.getMinLeaders()) && !ended && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            ElectionObserveCollectResult out = ElectionObserveCollectResult.newBuilder()
                .addAllLeaders(leaders).setEnded(ended).build();
            leaders.clear();
            return Results.ok(call, Clock.now(), CommandOk.newBuilder().setElectionObserveCollect(out).build());
        }
    }

    private CommandResult observeStart(String handle, ByteSequence name) {
        if (handle.isEmpty() || observers.containsKey(handle)) {
            return bad("election_observe_start needs a handle that is not live (got \"" + handle + "\")");
        }
        long call = Clock.now();
        Observer o = new Observer();
        try {
            client.getElectionClient().observe(name, o);
        } catch (RuntimeException e) {
            return Results.sdkError(call, Clock.now(), e);
        }
        observers.put(handle, o);
        return Results.ok(call, Clock.now(), CommandOk.newBuilder()
            .setElectionObserveStart(ElectionObserveStartResult.getDefaultInstance()).build());
    }

    /** Ends every session (revoking its lease, so held keys go) and stops buffering observers. */
    public void close() {
        for (Map<String, Held> m : List.of(locks, campaigns)) {
            List<Held> all = new ArrayList<>(m.values());
            m.clear();
            for (Held h : all) {
                closeSession(h.session);
            }
        }
        for (Observer o : observers.values()) {
            o.close();
        }
        observers.clear();
    }
}
