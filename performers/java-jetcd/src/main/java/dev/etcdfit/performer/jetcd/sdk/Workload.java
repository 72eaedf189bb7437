package dev.etcdfit.performer.jetcd.sdk;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;

import dev.etcdfit.performer.jetcd.Log;

import etcdfit.performer.v1.Performer.ErrorCode;
import etcdfit.performer.v1.Performer.KeyDistribution;
import etcdfit.performer.v1.Performer.LatencyHistogram;
import etcdfit.performer.v1.Performer.OpWeight;
import etcdfit.performer.v1.Performer.SdkError;
import etcdfit.performer.v1.Performer.WorkloadErrorCount;
import etcdfit.performer.v1.Performer.WorkloadOp;
import etcdfit.performer.v1.Performer.WorkloadReport;
import etcdfit.performer.v1.Performer.WorkloadRequest;

/**
 * The Workload command (capability perf.workload): SDK clients and workers in this process, no
 * RPC to the driver per operation, one report per interval.
 *
 * <p>The reference is go-clientv3's internal/workload (docs/perf.md): the same defaults, bounds,
 * key naming, latency buckets and report fields. Each client is one jetcd {@link Client} (one
 * channel); each worker a platform thread that waits on its operation's future for at most
 * request_timeout_ms (then cancels it: DEADLINE_EXCEEDED). The driver's cancel or the stream's
 * deadline (the call's Context, cancelled at once) stops the workers before their next operation.
 */
public final class Workload {
    static final int MAX_CLIENTS = 10_000;
    static final int MAX_WORKERS = 10_000; // platform threads
    static final long MAX_KEY_SPACE = 10_000_000L;
    static final int MAX_VALUE = 1 << 20;
    /** The protocol's latency buckets: exact below 128 us, then 64 per power of two, capped. */
    public static final int MAX_BUCKET = 2047;

    private Workload() {}

    /** A malformed request (INVALID_ARGUMENT, naming the field). */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super("Workload: " + message);
        }
    }

    /** The bucket index of a latency in microseconds. */
    public static int bucketOf(long us) {
        int m = Math.max(0, (64 - Long.numberOfLeadingZeros(us)) - 7);
        long idx = ((long) m << 6) + (us >>> m);
        return (int) Math.min(idx, MAX_BUCKET);
    }

    /** One latency histogram (not thread-safe: each worker owns one, behind its tally's lock). */
    public static final class Hist {
        final long[] counts = new long[MAX_BUCKET + 1];
        long total;
        long sum;
        long max;
        long min;

        public void record(long us) {
            counts[bucketOf(us)]++;
            if (total == 0 || us < min) {
                min = us;
            }
            max = Math.max(max, us);
            total++;
            sum += us;
        }

        public void merge(Hist o) {
            if (o.total == 0) {
                return;
            }
            for (int i = 0; i < counts.length; i++) {
                counts[i] += o.counts[i];
            }
            if (total == 0 || o.min < min) {
                min = o.min;
            }
            max = Math.max(max, o.max);
            total += o.total;
            sum += o.sum;
        }

        public LatencyHistogram proto() {
            LatencyHistogram.Builder b = LatencyHistogram.newBuilder()
                .setTotal(total).setSumUs(sum).setMaxUs(max).setMinUs(min);
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    b.addBucket(i).addCount(counts[i]);
                }
            }
            return b.build();
        }
    }

    /** A validated request with the protocol's defaults applied. */
    public static final class Spec {
        List<String> endpoints;
        int clients;
        int workers;
        final List<WorkloadOp> ops = new ArrayList<>();
        long keySpace;
        boolean sequential;
        int keySize;
        byte[] value;
        byte[] prefix;
        long durationMs;
        long total;
        double rate;
        long intervalMs;
        long dialTimeoutMs;
        long requestTimeoutMs;
        int rangeLimit;
        boolean prefill;

        /** Key i of the key space: the prefix, then i zero-padded to keySize bytes in all. */
        public byte[] key(long i) {
            byte[] digits = Long.toString(i).getBytes(StandardCharsets.US_ASCII);
            int pad = Math.max(0, keySize - prefix.length - digits.length);
            byte[] k = new byte[prefix.length + pad + digits.length];
            System.arraycopy(prefix, 0, k, 0, prefix.length);
            java.util.Arrays.fill(k, prefix.length, prefix.length + pad, (byte) '0');
            System.arraycopy(digits, 0, k, prefix.length + pad, digits.length);
            return k;
        }
    }

    public static Spec parse(WorkloadRequest req) throws Invalid {
        Spec s = new Spec();
        s.endpoints = req.getEndpointsList();
        if (s.endpoints.isEmpty()) {
            throw new Invalid("endpoints: at least one is needed");
        }
        s.prefix = req.getKeyPrefix().toByteArray();
        if (s.prefix.length == 0) {
            throw new Invalid("key_prefix: required (the run's namespace)");
        }
        s.durationMs = req.getDurationMs();
        s.total = req.getTotalOps();
        if (s.durationMs == 0 && s.total == 0) {
            throw new Invalid("give duration_ms or total_ops (or both): a workload must end");
        }
        s.clients = req.getClients() == 0 ? 1 : req.getClients();
        s.workers = req.getConcurrency() == 0 ? s.clients : req.getConcurrency();
        if (s.clients < 0 || s.workers < 0 || s.clients > MAX_CLIENTS || s.workers > MAX_WORKERS) {
            throw new Invalid("clients " + Integer.toUnsignedString(s.clients) + " / concurrency "
                + Integer.toUnsignedString(s.workers) + ": at most " + MAX_CLIENTS + " / " + MAX_WORKERS);
        }
        s.keySpace = req.getKeySpace() == 0 ? 1 : req.getKeySpace();
        if (s.keySpace < 0 || s.keySpace > MAX_KEY_SPACE) {
            throw new Invalid("key_space " + Long.toUnsignedString(s.keySpace) + ": at most " + MAX_KEY_SPACE);
        }
        int size = req.getValueSize() == 0 ? 8 : req.getValueSize();
        if (size < 0 || size > MAX_VALUE) {
            throw new Invalid("value_size " + Integer.toUnsignedString(size) + ": at most " + MAX_VALUE);
        }
        s.value = new byte[size];
        for (int i = 0; i < size; i++) {
            s.value[i] = (byte) ('a' + i % 26);
        }
        s.sequential = req.getKeyDistribution() == KeyDistribution.KEY_DISTRIBUTION_SEQUENTIAL;
        s.keySize = req.getKeySize();
        s.rate = req.getTargetRate();
        if (!(s.rate >= 0)) {
            throw new Invalid("target_rate " + s.rate + ": must be >= 0 (0: closed loop)");
        }
        s.intervalMs = req.getReportIntervalMs() == 0 ? 1000 : Integer.toUnsignedLong(req.getReportIntervalMs());
        s.dialTimeoutMs = req.getDialTimeoutMs() == 0 ? 5000 : Integer.toUnsignedLong(req.getDialTimeoutMs());
        s.requestTimeoutMs = req.getRequestTimeoutMs() == 0 ? 10000 : Integer.toUnsignedLong(req.getRequestTimeoutMs());
        s.rangeLimit = req.getRangeLimit() == 0 ? 10 : req.getRangeLimit();
        s.prefill = req.getPrefill();
        for (OpWeight w : req.getMixList()) {
            WorkloadOp op = w.getOp();
            if (op == WorkloadOp.WORKLOAD_OP_UNSPECIFIED || op == WorkloadOp.UNRECOGNIZED) {
                throw new Invalid("mix: unknown op " + w.getOpValue());
            }
            if (w.getWeight() < 0 || w.getWeight() > 1000) {
                throw new Invalid("mix: weight " + Integer.toUnsignedString(w.getWeight()) + " of " + op + ": at most 1000");
            }
            for (int i = 0; i < w.getWeight(); i++) {
                s.ops.add(op);
            }
        }
        if (req.getMixCount() == 0) {
            s.ops.add(WorkloadOp.WORKLOAD_OP_PUT);
        }
        if (s.ops.isEmpty()) {
            throw new Invalid("mix: every weight is 0");
        }
        return s;
    }

    static double cpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return 0;
    }

    static long rssBytes() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(f[1]) * 4096L;
        } catch (Exception e) {
            return 0;
        }
    }

    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if ((prefix[i] & 0xff) < 0xff) {
                byte[] end = java.util.Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[] {0};
    }

    /** What one worker measured since the last report. */
    static final class Tally {
        Hist hist = new Hist();
        Map<ErrorCode, Long> errs = new TreeMap<>();
        final Map<ErrorCode, String> samples = new TreeMap<>();
        long ops;

        synchronized void record(long us, SdkError e) {
            if (e == null) {
                hist.record(us);
                ops++;
            } else {
                errs.merge(e.getCode(), 1L, Long::sum);
                samples.putIfAbsent(e.getCode(), e.getSdkType() + ": " + e.getMessage());
            }
        }
    }

    /** One operation through jetcd; waits at most the request timeout, then cancels it. */
    static void runOp(KV kv, Spec s, WorkloadOp op, byte[] key, byte[] rangeEnd) throws Exception {
        ByteSequence k = ByteSequence.from(key);
        CompletableFuture<?> f;
        switch (op) {
            case WORKLOAD_OP_PUT -> f = kv.put(k, ByteSequence.from(s.value));
            case WORKLOAD_OP_GET -> f = kv.get(k);
            case WORKLOAD_OP_RANGE -> f = kv.get(k, GetOption.builder()
                .withRange(ByteSequence.from(rangeEnd)).withLimit(s.rangeLimit).build());
            case WORKLOAD_OP_TXN -> f = kv.txn().Then(Op.put(k, ByteSequence.from(s.value), PutOption.DEFAULT)).commit();
            case WORKLOAD_OP_DELETE -> f = kv.delete(k);
            default -> throw new IllegalStateException("op " + op);
        }
        try {
            f.get(s.requestTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }

    /**
     * Runs a workload: send for each report; returns when it is over or cancelled turns true
     * (then nothing more is sent). Every client is closed on the way out.
     */
    public static void run(Spec s, Consumer<WorkloadReport> send, BooleanSupplier cancelled) throws InterruptedException {
        List<Client> clients = new ArrayList<>();
        List<Long> connectUs = new ArrayList<>();
        int failures = 0;
        try {
            for (int i = 0; i < s.clients && !cancelled.getAsBoolean(); i++) {
                long t0 = System.nanoTime();
                Client c = null;
                try {
                    c = Client.builder().endpoints(s.endpoints.get(0).contains("://") ? s.endpoints.get(0) : "http://" + s.endpoints.get(0))
                        .connectTimeout(Duration.ofMillis(s.dialTimeoutMs)).build();
                    c.getKVClient().get(ByteSequence.from(s.prefix)).get(s.dialTimeoutMs + s.requestTimeoutMs, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    failures++;
                    Log.line("Workload: client " + i + " could not connect: " + ErrorMapper.map(e).getMessage());
                    if (c != null) {
                        c.close();
                    }
                    continue;
                }
                connectUs.add((System.nanoTime() - t0) / 1000);
                clients.add(c);
            }
            if (cancelled.getAsBoolean()) {
                return;
            }
            final int nClients = clients.size();
            final int nFailures = failures;
            java.util.function.Supplier<WorkloadReport.Builder> base = () -> WorkloadReport.newBuilder()
                .setConnections(nClients).setConnectFailures(nFailures).setCpuSeconds(cpuSeconds()).setRssBytes(rssBytes());
            if (clients.isEmpty()) {
                send.accept(base.get().setFinal(true).addAllConnectUs(connectUs).setHarnessError(
                    "no client could connect to " + s.endpoints + " (" + failures + " tried); see the performer log").build());
                return;
            }
            long prefillMs = 0;
            if (s.prefill) {
                long t0 = System.nanoTime();
                String err = prefill(s, clients, cancelled);
                if (cancelled.getAsBoolean()) {
                    return;
                }
                if (err != null) {
                    send.accept(base.get().setFinal(true).addAllConnectUs(connectUs).setHarnessError("prefill failed: " + err).build());
                    return;
                }
                prefillMs = (System.nanoTime() - t0) / 1_000_000;
                Log.line("Workload: prefill of " + s.keySpace + " keys took " + prefillMs + " ms");
            }
            measure(s, clients, send, cancelled, base, connectUs, prefillMs);
        } finally {
            for (Client c : clients) {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    Log.line("Workload: closing a client: " + e);
                }
            }
        }
    }

    private static String prefill(Spec s, List<Client> clients, BooleanSupplier cancelled) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        String[] first = new String[1];
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < Math.min(s.workers, 64); w++) {
            KV kv = clients.get(w % clients.size()).getKVClient();
            Thread t = new Thread(() -> {
                while (!cancelled.getAsBoolean()) {
                    long i = next.getAndIncrement();
                    synchronized (first) {
                        if (i >= s.keySpace || first[0] != null) {
                            return;
                        }
                    }
                    try {
                        runOp(kv, s, WorkloadOp.WORKLOAD_OP_PUT, s.key(i), null);
                    } catch (Exception e) {
                        synchronized (first) {
                            if (first[0] == null) {
                                SdkError m = ErrorMapper.map(e);
                                first[0] = m.getSdkType() + ": " + m.getMessage();
                            }
                        }
                        return;
                    }
                }
            }, "etcdfit-prefill-" + w);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return first[0];
    }

    private static void measure(Spec s, List<Client> clients, Consumer<WorkloadReport> send, BooleanSupplier cancelled,
                                java.util.function.Supplier<WorkloadReport.Builder> base, List<Long> connectUs,
                                long prefillMs) throws InterruptedException {
        Tally[] tallies = new Tally[s.workers];
        AtomicLong claimed = new AtomicLong();
        AtomicLong seq = new AtomicLong();
        byte[] rangeEnd = prefixEnd(s.prefix);
        long start = System.nanoTime();
        long deadline = s.durationMs > 0 ? start + s.durationMs * 1_000_000L : Long.MAX_VALUE;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < s.workers; w++) {
            Tally t = tallies[w] = new Tally();
            KV kv = clients.get(w % clients.size()).getKVClient();
            Thread th = new Thread(() -> work(s, kv, t, start, deadline, claimed, seq, rangeEnd, cancelled), "etcdfit-workload-" + w);
            th.setDaemon(true);
            threads.add(th);
        }
        threads.forEach(Thread::start);

        Hist total = new Hist();
        Map<ErrorCode, Long> totalErrs = new TreeMap<>();
        Map<ErrorCode, String> samples = new TreeMap<>();
        long[] totalOps = {0};
        // collect: one interval's histogram, errors and ops (and adds them to the totals)
        java.util.function.Function<Map<ErrorCode, Long>, Object[]> collect = errs -> {
            Hist h = new Hist();
            long ops = 0;
            for (Tally t : tallies) {
                synchronized (t) {
                    h.merge(t.hist);
                    t.hist = new Hist();
                    for (Map.Entry<ErrorCode, Long> e : t.errs.entrySet()) {
                        errs.merge(e.getKey(), e.getValue(), Long::sum);
                        samples.putIfAbsent(e.getKey(), t.samples.get(e.getKey()));
                    }
                    t.errs = new TreeMap<>();
                    ops += t.ops;
                    t.ops = 0;
                }
            }
            total.merge(h);
            errs.forEach((c, n) -> totalErrs.merge(c, n, Long::sum));
            totalOps[0] += ops;
            return new Object[] {h, ops};
        };
        java.util.function.Function<Map<ErrorCode, Long>, List<WorkloadErrorCount>> errList = m -> {
            List<WorkloadErrorCount> out = new ArrayList<>();
            m.forEach((c, n) -> out.add(WorkloadErrorCount.newBuilder().setCode(c).setCount(n)
                .setSample(samples.getOrDefault(c, "")).build()));
            return out;
        };
        int seqNo = 0;
        long last = start;
        long next = start + s.intervalMs * 1_000_000L;
        while (true) {
            boolean alive = false;
            for (Thread th : threads) {
                long waitMs = Math.max(0, (next - System.nanoTime()) / 1_000_000L);
                th.join(Math.max(1, waitMs));
                if (th.isAlive()) {
                    alive = true;
                    break;
                }
            }
            if (cancelled.getAsBoolean()) {
                return; // the workers stop before their next operation
            }
            if (!alive) {
                break;
            }
            long now = System.nanoTime();
            if (now < next) {
                continue;
            }
            Map<ErrorCode, Long> errs = new TreeMap<>();
            Object[] got = collect.apply(errs);
            WorkloadReport.Builder r = base.get().setSeq(seqNo).setElapsedMs((now - start) / 1_000_000L)
                .setIntervalMs((now - last) / 1_000_000L).setOps((Long) got[1]).addAllErrors(errList.apply(errs))
                .setLatency(((Hist) got[0]).proto());
            if (seqNo == 0) {
                r.addAllConnectUs(connectUs).setPrefillMs(prefillMs);
            }
            send.accept(r.build());
            seqNo++;
            last = now;
            next += s.intervalMs * 1_000_000L;
            if (next < now) {
                next = now + s.intervalMs * 1_000_000L;
            }
        }
        long end = System.nanoTime();
        Map<ErrorCode, Long> errs = new TreeMap<>();
        Object[] got = collect.apply(errs);
        if ((Long) got[1] > 0 || !errs.isEmpty()) {
            WorkloadReport.Builder r = base.get().setSeq(seqNo).setElapsedMs((end - start) / 1_000_000L)
                .setIntervalMs((end - last) / 1_000_000L).setOps((Long) got[1]).addAllErrors(errList.apply(errs))
                .setLatency(((Hist) got[0]).proto());
            if (seqNo == 0) {
                r.addAllConnectUs(connectUs).setPrefillMs(prefillMs);
            }
            send.accept(r.build());
            seqNo++;
        }
        long elapsed = (end - start) / 1_000_000L;
        send.accept(base.get().setSeq(seqNo).setFinal(true).setElapsedMs(elapsed).setIntervalMs(elapsed)
            .setOps(totalOps[0]).addAllErrors(errList.apply(totalErrs)).setLatency(total.proto())
            .addAllConnectUs(connectUs).setPrefillMs(prefillMs).build());
    }

    private static void work(Spec s, KV kv, Tally t, long start, long deadline, AtomicLong claimed, AtomicLong seq,
                             byte[] rangeEnd, BooleanSupplier cancelled) {
        ThreadLocalRandom rng = ThreadLocalRandom.current();
        while (!cancelled.getAsBoolean() && System.nanoTime() < deadline) {
            long n = claimed.incrementAndGet();
            if (s.total > 0 && n > s.total) {
                return;
            }
            long began = System.nanoTime();
            if (s.rate > 0) {
                began = start + (long) ((n - 1) / s.rate * 1e9);
                long wait = began - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (cancelled.getAsBoolean() || System.nanoTime() >= deadline) {
                    return;
                }
            }
            long i = s.sequential ? Math.floorMod(seq.getAndIncrement(), s.keySpace) : rng.nextLong(s.keySpace);
            WorkloadOp op = s.ops.size() == 1 ? s.ops.get(0) : s.ops.get(rng.nextInt(s.ops.size()));
            SdkError err = null;
            try {
                runOp(kv, s, op, s.key(i), rangeEnd);
            } catch (Exception e) {
                if (cancelled.getAsBoolean()) {
                    return; // the run ended under this call: not an SDK error
                }
                err = ErrorMapper.map(e);
            }
            t.record((System.nanoTime() - began) / 1000, err);
        }
    }
}
