package dev.etcdfit.performer.jetcd.sdk;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog capabilities (capabilities/catalog.yaml) this performer carries out through
 * jetcd's public API, each with the first jetcd version it is claimed for. Every API used
 * below is identical in jetcd 0.7.x and 0.8.x (checked against both sources: only
 * autoRetry options, KV.txn(TxnOption) and Watcher.isClosed() were added in 0.8), so all
 * claims start at 0.7.0, the oldest line this performer builds against.
 */
public final class Capabilities {
    private Capabilities() {
    }

    static final Map<String, String> SINCE = new LinkedHashMap<>();

    static {
        String v07 = "0.7.0";
        SINCE.put("kv.put", v07);                          // KV.put
        SINCE.put("kv.put.prev_kv", v07);                  // PutOption.Builder.withPrevKV
        SINCE.put("kv.put.lease", v07);                    // PutOption.Builder.withLeaseId
        SINCE.put("kv.range", v07);                        // KV.get
        SINCE.put("kv.range.prefix", v07);                 // GetOption.Builder.isPrefix(true)
        SINCE.put("kv.range.range_end", v07);              // GetOption.Builder.withRange
        SINCE.put("kv.range.from_key", v07);               // GetOption.Builder.withRange("\0"), documented there as ">= key"
        SINCE.put("kv.range.limit", v07);                  // withLimit
        SINCE.put("kv.range.revision", v07);               // withRevision
        SINCE.put("kv.range.sort", v07);                   // withSortField / withSortOrder
        SINCE.put("kv.range.keys_only", v07);              // withKeysOnly
        SINCE.put("kv.range.count_only", v07);             // withCountOnly
        SINCE.put("kv.range.serializable", v07);           // withSerializable
        SINCE.put("kv.range.mod_revision_filter", v07);    // withMinModRevision / withMaxModRevision
        SINCE.put("kv.range.create_revision_filter", v07); // withMinCreateRevision / withMaxCreateRevision
        SINCE.put("kv.delete", v07);                       // KV.delete
        SINCE.put("kv.delete.range", v07);                 // DeleteOption.Builder.isPrefix / withRange
        SINCE.put("kv.delete.prev_kv", v07);               // DeleteOption.Builder.withPrevKV
        SINCE.put("txn", v07);                             // KV.txn().If().Then().Else().commit()
        SINCE.put("txn.compare.value", v07);               // CmpTarget.value
        SINCE.put("txn.compare.version", v07);             // CmpTarget.version
        SINCE.put("txn.compare.create", v07);              // CmpTarget.createRevision
        SINCE.put("txn.compare.mod", v07);                 // CmpTarget.modRevision
        SINCE.put("txn.nested", v07);                      // Op.txn
        SINCE.put("compact", v07);                         // KV.compact
        SINCE.put("compact.physical", v07);                // CompactOption.Builder.withCompactPhysical
        SINCE.put("status", v07);                          // Maintenance.statusMember
        SINCE.put("lease.grant", v07);                     // Lease.grant
        SINCE.put("lease.revoke", v07);                    // Lease.revoke
        SINCE.put("lease.ttl", v07);                       // Lease.timeToLive
        SINCE.put("lease.ttl.keys", v07);                  // LeaseOption.Builder.withAttachedKeys
        SINCE.put("lease.keepalive_once", v07);            // Lease.keepAliveOnce
        SINCE.put("lease.keepalive", v07);                 // Lease.keepAlive(id, StreamObserver)
        SINCE.put("watch", v07);                           // Watch.watch(key, option, listener)
        SINCE.put("watch.prefix", v07);                    // WatchOption.Builder.isPrefix(true)
        SINCE.put("watch.range_end", v07);                 // WatchOption.Builder.withRange
        SINCE.put("watch.start_revision", v07);            // WatchOption.Builder.withRevision
        SINCE.put("watch.prev_kv", v07);                   // WatchOption.Builder.withPrevKV
        SINCE.put("watch.filters", v07);                   // withNoPut / withNoDelete
        SINCE.put("watch.cancel", v07);                    // Watcher.close
        SINCE.put("watch.compacted", v07);                 // Listener.onError(CompactedException)
        SINCE.put("watch.progress_notify", v07);           // withProgressNotify
        // WatchImpl.WatcherImpl.onError: UNAVAILABLE / INTERNAL reschedules resume() 500 ms later
        // from the revision after the last event delivered (an onError first); verified by
        // killing and restarting etcd under a live watch (see README: one edge case).
        SINCE.put("watch.resume", v07);
        SINCE.put("watch.response_boundaries", v07);       // one Listener.onNext per WatchResponse
        SINCE.put("connect.keepalive", v07);               // ClientBuilder.keepaliveTime / keepaliveTimeout
        SINCE.put("perf.workload", v07);                   // sdk.Workload: Client per client, worker threads, KV futures
        SINCE.put("errors.typed", v07);                    // EtcdException and its subclasses
        // issue 12 (docs/concurrency.md; Recipes, ProgramStream). Lock and Election have the
        // same interfaces in 0.7.7 and 0.8.7 (javap of both jars).
        SINCE.put("execute.session", v07);                 // ExecuteSession (performer side)
        SINCE.put("stream.latches", v07);                  // ExecuteStream (performer side)
        SINCE.put("lock", v07);                            // Lock.lock(name, lease) / unlock(key): etcd's v3lock service
        SINCE.put("election", v07);                        // Election.campaign/proclaim/leader/observe/resign: v3election
        // issue 15 (docs/security.md; SdkClient.builder, AuthCommands). Same ClientBuilder and Auth in 0.7.7 and 0.8.7.
        SINCE.put("connect.tls", v07);                     // ClientBuilder.sslContext(trustManager) + authority(server name)
        SINCE.put("connect.tls.client_cert", v07);         // SslContextBuilder.keyManager(cert, key)
        SINCE.put("auth.basic", v07);                      // ClientBuilder.user / password
        SINCE.put("auth.manage", v07);                     // Client.getAuthClient(): userAdd ... authEnable/authDisable
    }

    /**
     * Catalog ids deliberately not claimed, with the reason. Every catalog id is either in
     * SINCE or here (a unit test checks it against capabilities/catalog.yaml).
     */
    public static final Map<String, String> NOT_CLAIMED = withLater(Map.of(
        "kv.put.ignore_value",
        "jetcd's PutOption has no ignore_value (Requests.mapPutRequest never sets PutRequest.ignore_value)",
        "kv.put.ignore_lease",
        "jetcd's PutOption has no ignore_lease (Requests.mapPutRequest never sets PutRequest.ignore_lease)",
        "txn.compare.lease",
        "jetcd's CmpTarget has only version/createRevision/modRevision/value; Cmp.toCompare rejects any other target",
        "txn.compare.range",
        "jetcd's Cmp(key, op, target) has no range_end or prefix: a compare covers one key only",
        "lease.grant.id",
        "jetcd's Lease.grant(ttl) cannot choose the lease id",
        "lease.leases",
        "jetcd's Lease interface has no call that lists leases (no LeaseLeases)",
        "connect.block",
        "jetcd's ClientBuilder has no blocking connect: Client.build() is always lazy (waitForReady is a per-call option)",
        "connect.auto_sync",
        "jetcd has no member-list auto-sync"));

    /** The recipe ids of issue 12 and the issue 15 (auth) ids jetcd has no API for. */
    private static Map<String, String> withLater(Map<String, String> notClaimed) {
        Map<String, String> out = new java.util.TreeMap<>(notClaimed);
        out.put("lock.try", "jetcd's Lock has only lock(name, lease), which blocks; etcd's v3lock service has no try-lock");
        out.put("lock.single_key", "jetcd's only lock is etcd's v3lock service (the <name>/<lease> layout, capability lock)");
        out.put("stm", "jetcd has no software transactional memory (no STM in io.etcd.jetcd at 0.7.7 or 0.8.7): KV.txn() only");
        out.put("stm.isolation.serializable_snapshot", "jetcd has no software transactional memory (no STM in io.etcd.jetcd at 0.7.7 or 0.8.7): KV.txn() only");
        out.put("stm.isolation.serializable", "jetcd has no software transactional memory (no STM in io.etcd.jetcd at 0.7.7 or 0.8.7): KV.txn() only");
        out.put("stm.isolation.repeatable_reads", "jetcd has no software transactional memory (no STM in io.etcd.jetcd at 0.7.7 or 0.8.7): KV.txn() only");
        out.put("stm.isolation.read_committed", "jetcd has no software transactional memory (no STM in io.etcd.jetcd at 0.7.7 or 0.8.7): KV.txn() only");
        out.put("auth.authenticate", "jetcd's Auth interface has no authenticate call: the client authenticates by itself"
            + " (ClientBuilder.user/password, AuthCredential)");
        return Map.copyOf(out);
    }

    /** Sorted capability ids for an SDK version ("0.8.7"); an unparsable version counts as the newest. */
    public static List<String> forVersion(String sdkVersion) {
        int[] v = parse(sdkVersion);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : SINCE.entrySet()) {
            if (v == null || compare(v, parse(e.getValue())) >= 0) {
                out.add(e.getKey());
            }
        }
        Collections.sort(out);
        return out;
    }

    /** "X.Y.Z" (an optional "-suffix" ignored) as three ints, or null. */
    static int[] parse(String s) {
        if (s == null) {
            return null;
        }
        s = s.trim();
        if (s.startsWith("v")) {
            s = s.substring(1);
        }
        int dash = s.indexOf('-');
        if (dash >= 0) {
            s = s.substring(0, dash);
        }
        String[] parts = s.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        int[] v = new int[3];
        try {
            for (int i = 0; i < 3; i++) {
                v[i] = Integer.parseInt(parts[i]);
                if (v[i] < 0) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return v;
    }

    static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
