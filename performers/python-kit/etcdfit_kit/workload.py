"""The Workload command (capability perf.workload) for the Python performers: SDK clients
and workers in this process, no RPC to the driver per operation, a report per interval.

The reference is go-clientv3's internal/workload (docs/perf.md): same defaults, bounds,
key naming, latency buckets, report fields. What the performer supplies is a WorkloadSdk
(threaded: plain calls, one OS thread per worker; asyncio: coroutines, one task per worker
on the performer's event loop):

  new_client(host, port, dial_timeout_s, request_timeout_s) -> client   (asyncio: awaited)
  run(client, op, key, spec) -> None   one operation; raises the SDK's error
  close(client)

The kit times each client from its creation to its first answer (run(GET, key_prefix)),
spreads the workers over the clients (worker i on client i % clients), and maps errors with
the backend's map_error. Cancelling the RPC (the driver's cancel or deadline) stops the
workers: threaded, at their next operation (each SDK call carries request_timeout_ms as its
gRPC deadline); asyncio, at once (their tasks are cancelled).
"""

import asyncio
import os
import random
import threading
import time

import grpc

from .stubs import pb

# Bounds on a request, so a typo cannot make the performer allocate or loop without end
# (go-clientv3's, with fewer workers: each is an OS thread or a task here).
MAX_CLIENTS = 10000
MAX_WORKERS = 10000
MAX_KEY_SPACE = 10_000_000
MAX_VALUE = 1 << 20

# The protocol's latency buckets (LatencyHistogram in performer.proto): exact below 128 us,
# then 64 buckets per power of two; indexes capped at MAX_BUCKET like go-clientv3's.
MAX_BUCKET = 2047

PUT, GET, RANGE, TXN, DELETE = (pb.WORKLOAD_OP_PUT, pb.WORKLOAD_OP_GET, pb.WORKLOAD_OP_RANGE,
                                pb.WORKLOAD_OP_TXN, pb.WORKLOAD_OP_DELETE)
_OPS = (PUT, GET, RANGE, TXN, DELETE)


def bucket_of(us):
    """The bucket index of a latency in whole microseconds."""
    m = max(0, us.bit_length() - 7)
    return min((m << 6) + (us >> m), MAX_BUCKET)


class Hist:
    """One latency histogram (sparse counts; not thread-safe: each worker owns one)."""

    __slots__ = ("counts", "max", "min", "sum", "total")

    def __init__(self):
        self.counts = {}
        self.total = self.sum = self.max = self.min = 0

    def record(self, us):
        b = bucket_of(us)
        self.counts[b] = self.counts.get(b, 0) + 1
        if self.total == 0 or us < self.min:
            self.min = us
        if us > self.max:
            self.max = us
        self.total += 1
        self.sum += us

    def merge(self, o):
        if o.total == 0:
            return
        for b, c in o.counts.items():
            self.counts[b] = self.counts.get(b, 0) + c
        if self.total == 0 or o.min < self.min:
            self.min = o.min
        self.max = max(self.max, o.max)
        self.total += o.total
        self.sum += o.sum

    def proto(self):
        keys = sorted(self.counts)
        return pb.LatencyHistogram(bucket=keys, count=[self.counts[k] for k in keys],
                                   total=self.total, sum_us=self.sum, max_us=self.max,
                                   min_us=self.min)


def cpu_seconds():
    """This process's CPU time, user + system, all threads."""
    t = os.times()
    return t.user + t.system


def rss_bytes():
    """This process's resident set size (Linux /proc/self/statm; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Spec:
    """A validated WorkloadRequest with the protocol's defaults applied."""

    def __init__(self, req):
        def bad(msg):
            return ValueError("Workload: " + msg)

        self.endpoints = list(req.endpoints)
        if not self.endpoints:
            raise bad("endpoints: at least one is needed")
        self.prefix = bytes(req.key_prefix)
        if not self.prefix:
            raise bad("key_prefix: required (the run's namespace)")
        self.duration_s = req.duration_ms / 1000.0
        self.total = req.total_ops
        if not self.duration_s and not self.total:
            raise bad("give duration_ms or total_ops (or both): a workload must end")
        self.clients = req.clients or 1
        self.workers = req.concurrency or self.clients
        if self.clients > MAX_CLIENTS or self.workers > MAX_WORKERS:
            raise bad("clients %d / concurrency %d: at most %d / %d" % (
                self.clients, self.workers, MAX_CLIENTS, MAX_WORKERS))
        self.key_space = req.key_space or 1
        if self.key_space > MAX_KEY_SPACE:
            raise bad("key_space %d: at most %d" % (self.key_space, MAX_KEY_SPACE))
        size = req.value_size or 8
        if size > MAX_VALUE:
            raise bad("value_size %d: at most %d" % (size, MAX_VALUE))
        self.value = bytes(ord("a") + i % 26 for i in range(size))
        self.sequential = req.key_distribution == pb.KEY_DISTRIBUTION_SEQUENTIAL
        self.key_size = req.key_size
        if req.target_rate < 0:
            raise bad("target_rate %r: must be >= 0 (0: closed loop)" % req.target_rate)
        self.rate = req.target_rate
        self.interval_s = (req.report_interval_ms or 1000) / 1000.0
        self.dial_timeout_s = (req.dial_timeout_ms or 5000) / 1000.0
        self.request_timeout_s = (req.request_timeout_ms or 10000) / 1000.0
        self.range_limit = req.range_limit or 10
        self.prefill = req.prefill
        self.ops = []
        for w in req.mix:
            if w.op not in _OPS:
                raise bad("mix: unknown op %d" % w.op)
            if w.weight > 1000:
                raise bad("mix: weight %d of %s: at most 1000" % (w.weight, pb.WorkloadOp.Name(w.op)))
            self.ops.extend([w.op] * w.weight)
        if not req.mix:
            self.ops = [PUT]
        if not self.ops:
            raise bad("mix: every weight is 0")

    def key(self, i):
        """Key i of the key space: the prefix, then i zero-padded to key_size bytes in all."""
        digits = str(i).encode()
        pad = self.key_size - len(self.prefix) - len(digits)
        return self.prefix + b"0" * max(0, pad) + digits

    def range_end(self, i):
        """The end of a RANGE op from key i. Neither Python SDK can set a limit (etcd3
        drops limit=, aetcd has none), so the range ends at key i + range_limit: the same
        keys etcd's limit would return when keys are padded (key_size) and prefilled."""
        return self.key(min(i + self.range_limit, self.key_space)) if i + 1 < self.key_space \
            else prefix_end(self.prefix)

    def describe(self):
        return "clients=%d workers=%d ops=%d keys=%d duration=%.1fs total=%d rate=%g" % (
            self.clients, self.workers, len(self.ops), self.key_space, self.duration_s,
            self.total, self.rate)


def prefix_end(prefix):
    b = bytearray(prefix)
    for i in range(len(b) - 1, -1, -1):
        if b[i] < 0xFF:
            b[i] += 1
            return bytes(b[:i + 1])
    return b"\0"


class _Tally:
    """What one worker measured since the last report (read under lock)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.hist = Hist()
        self.errs = {}
        self.samples = {}
        self.ops = 0

    def record(self, us, err):
        with self.lock:
            if err is None:
                self.hist.record(us)
                self.ops += 1
            else:
                self.errs[err.code] = self.errs.get(err.code, 0) + 1
                if err.code not in self.samples:
                    self.samples[err.code] = "%s: %s" % (err.sdk_type, err.message)


class _Run:
    """The state a run's reports are made from (shared by both runners)."""

    def __init__(self, spec, map_error):
        self.spec = spec
        self.map_error = map_error
        self.clients, self.connect_us, self.failures = [], [], 0
        self.prefill_ms = 0
        self.tallies = [_Tally() for _ in range(spec.workers)]
        self.total = Hist()
        self.total_errs, self.samples, self.total_ops = {}, {}, 0
        self.claimed = 0
        self.seq = 0
        self.claim_lock = threading.Lock()
        self.start = 0.0
        self.seq_no = 0
        self.last = 0.0

    def base(self):
        return pb.WorkloadReport(connections=len(self.clients), connect_failures=self.failures,
                                 cpu_seconds=cpu_seconds(), rss_bytes=rss_bytes())

    def harness_error(self, msg):
        r = self.base()
        r.final, r.harness_error = True, msg
        r.connect_us.extend(self.connect_us)
        return r

    def claim(self, rng):
        """(n, key index) of the next operation, or None when the count is reached."""
        s = self.spec
        with self.claim_lock:
            self.claimed += 1
            n = self.claimed
            if s.total and n > s.total:
                return None
            if s.sequential:
                i = self.seq % s.key_space
                self.seq += 1
                return n, i
        return n, rng.randrange(s.key_space)

    def pick(self, rng):
        ops = self.spec.ops
        return ops[0] if len(ops) == 1 else ops[rng.randrange(len(ops))]

    def collect(self):
        h, errs, ops = Hist(), {}, 0
        for t in self.tallies:
            with t.lock:
                h.merge(t.hist)
                t.hist = Hist()
                for c, n in t.errs.items():
                    errs[c] = errs.get(c, 0) + n
                    self.samples.setdefault(c, t.samples[c])
                t.errs = {}
                ops += t.ops
                t.ops = 0
        self.total.merge(h)
        for c, n in errs.items():
            self.total_errs[c] = self.total_errs.get(c, 0) + n
        self.total_ops += ops
        return h, errs, ops

    def _errors(self, m):
        return [pb.WorkloadErrorCount(code=c, count=n, sample=self.samples.get(c, ""))
                for c, n in sorted(m.items())]

    def interval(self, now, force=False):
        """The report of the interval ending now (force: None when it saw nothing, the
        last partial interval)."""
        h, errs, ops = self.collect()
        if force and not ops and not errs:
            return None
        r = self.base()
        r.seq, r.elapsed_ms = self.seq_no, int((now - self.start) * 1000)
        r.interval_ms = int((now - self.last) * 1000)
        r.ops = ops
        r.errors.extend(self._errors(errs))
        r.latency.CopyFrom(h.proto())
        if self.seq_no == 0:
            r.connect_us.extend(self.connect_us)
            r.prefill_ms = self.prefill_ms
        self.seq_no += 1
        self.last = now
        return r

    def final(self, now):
        r = self.base()
        r.seq, r.final = self.seq_no, True
        r.elapsed_ms = r.interval_ms = int((now - self.start) * 1000)
        r.ops = self.total_ops
        r.errors.extend(self._errors(self.total_errs))
        r.latency.CopyFrom(self.total.proto())
        r.connect_us.extend(self.connect_us)
        r.prefill_ms = self.prefill_ms
        return r


def _host_port(endpoint):
    ep = endpoint.split("://", 1)[-1]
    host, _, port = ep.rpartition(":")
    return host or "127.0.0.1", int(port)


def _micros(t0):
    return int((time.monotonic() - t0) * 1e6)


_ENDED = (grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED)


# ---------------------------------------------------------------- threaded (python-etcd3)

def serve_threaded(backend, request, context, log):
    """The Workload RPC of a ThreadedPerformer: a generator of WorkloadReports."""
    sdk = getattr(backend, "workload", None)
    if sdk is None:
        context.abort(grpc.StatusCode.UNIMPLEMENTED,
                      "Workload (perf.workload) is not implemented by this performer")
    try:
        spec = Spec(request)
    except ValueError as e:
        log("Workload refused: %s" % e)
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
    log("Workload %s" % spec.describe())
    stop = threading.Event()  # the RPC ended (cancel, deadline) or the run is over
    context.add_callback(stop.set)
    run = _Run(spec, backend.map_error)
    t0 = time.monotonic()
    try:
        yield from _run_threaded(run, sdk, stop, log)
    finally:
        stop.set()
        for c in run.clients:
            try:
                sdk.close(c)
            except Exception as e:
                log("Workload: closing a client: %s: %s" % (type(e).__name__, e))
        log("Workload ended after %.1fs (active=%s)" % (time.monotonic() - t0, context.is_active()))


def _run_threaded(run, sdk, stop, log):
    spec = run.spec
    host, port = _host_port(spec.endpoints[0])
    for i in range(spec.clients):
        if stop.is_set():
            return
        t0 = time.monotonic()
        c = None
        try:
            c = sdk.new_client(host, port, spec.dial_timeout_s, spec.request_timeout_s)
            sdk.run(c, GET, spec.prefix, spec)
        except Exception as e:
            run.failures += 1
            log("Workload: client %d could not connect: %s: %s" % (i, type(e).__name__, e))
            if c is not None:
                try:
                    sdk.close(c)
                except Exception:
                    pass
            continue
        run.connect_us.append(_micros(t0))
        run.clients.append(c)
    if not run.clients:
        yield run.harness_error("no client could connect to %s (%d tried); see the performer log"
                                % (spec.endpoints, run.failures))
        return
    if spec.prefill:
        t0 = time.monotonic()
        err = _prefill_threaded(run, sdk, stop)
        if err is not None:
            yield run.harness_error("prefill failed: %s: %s" % (type(err).__name__, err))
            return
        run.prefill_ms = int((time.monotonic() - t0) * 1000)
        log("Workload: prefill of %d keys took %d ms" % (spec.key_space, run.prefill_ms))

    run.start = run.last = time.monotonic()
    deadline = run.start + spec.duration_s if spec.duration_s else None
    threads = [threading.Thread(target=_work_threaded, args=(run, sdk, w, stop, deadline),
                                name="etcdfit-workload-%d" % w, daemon=True)
               for w in range(spec.workers)]
    for t in threads:
        t.start()
    done = threading.Event()

    def join():
        for t in threads:
            t.join()
        done.set()

    threading.Thread(target=join, name="etcdfit-workload-join", daemon=True).start()
    next_tick = run.start + spec.interval_s
    while not done.wait(max(0.0, next_tick - time.monotonic())):
        if stop.is_set():  # cancelled: the workers end after their current call
            return
        now = time.monotonic()
        yield run.interval(now)
        next_tick += spec.interval_s
        if next_tick < now:
            next_tick = now + spec.interval_s
    if stop.is_set():
        return
    end = time.monotonic()
    r = run.interval(end, force=True)
    if r is not None:
        yield r
    yield run.final(end)


def _prefill_threaded(run, sdk, stop):
    spec, nxt, lock, first = run.spec, [0], threading.Lock(), []

    def fill(c):
        while not stop.is_set():
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= spec.key_space or first:
                return
            try:
                sdk.run(c, PUT, spec.key(i), spec)
            except Exception as e:
                first.append(e)
                return

    threads = [threading.Thread(target=fill, args=(run.clients[w % len(run.clients)],), daemon=True)
               for w in range(min(spec.workers, 64))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if first:
        return first[0]
    return RuntimeError("cancelled") if stop.is_set() else None


def _work_threaded(run, sdk, w, stop, deadline):
    spec = run.spec
    c = run.clients[w % len(run.clients)]
    tally = run.tallies[w]
    rng = random.Random(w * 7919 + int(run.start * 1e6))
    while not stop.is_set():
        if deadline is not None and time.monotonic() >= deadline:
            return
        got = run.claim(rng)
        if got is None:
            return
        n, i = got
        began = time.monotonic()
        if spec.rate:
            began = run.start + (n - 1) / spec.rate
            wait = began - time.monotonic()
            if wait > 0 and stop.wait(wait):
                return
            if deadline is not None and time.monotonic() >= deadline:
                return
        op = run.pick(rng)
        key = spec.key(i)
        try:
            sdk.run(c, op, key, spec)
            err = None
        except Exception as e:
            err = run.map_error(e)
            if stop.is_set() and err.code in (pb.CANCELED, pb.DEADLINE_EXCEEDED):
                return  # the run ended under this call: not an SDK error
        tally.record(_micros(began), err)


# ---------------------------------------------------------------- asyncio (python-aetcd)

async def serve_async(backend, request, context, log):
    """The Workload RPC of an AsyncPerformer: an async generator of WorkloadReports.
    Cancelling the RPC cancels this generator, whose finally cancels the workers."""
    sdk = getattr(backend, "workload", None)
    if sdk is None:
        await context.abort(grpc.StatusCode.UNIMPLEMENTED,
                            "Workload (perf.workload) is not implemented by this performer")
    try:
        spec = Spec(request)
    except ValueError as e:
        log("Workload refused: %s" % e)
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
    log("Workload %s" % spec.describe())
    run = _Run(spec, backend.map_error)
    tasks = []
    t0 = time.monotonic()
    how = "done"
    try:
        async for r in _run_async(run, sdk, tasks, log):
            yield r
    except asyncio.CancelledError:
        how = "cancelled"
        raise
    finally:
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=spec.request_timeout_s)
        for c in run.clients:
            try:
                await asyncio.wait_for(sdk.close(c), 5.0)
            except Exception as e:
                log("Workload: closing a client: %s: %s" % (type(e).__name__, e))
        log("Workload %s after %.1fs" % (how, time.monotonic() - t0))


async def _run_async(run, sdk, tasks, log):
    spec = run.spec
    host, port = _host_port(spec.endpoints[0])
    for i in range(spec.clients):
        t0 = time.monotonic()
        c = None
        try:
            c = await asyncio.wait_for(
                sdk.new_client(host, port, spec.dial_timeout_s, spec.request_timeout_s),
                spec.dial_timeout_s + spec.request_timeout_s)
            await sdk.run(c, GET, spec.prefix, spec)
        except Exception as e:
            run.failures += 1
            log("Workload: client %d could not connect: %s: %s" % (i, type(e).__name__, e))
            if c is not None:
                try:
                    await asyncio.wait_for(sdk.close(c), 5.0)
                except Exception:
                    pass
            continue
        run.connect_us.append(_micros(t0))
        run.clients.append(c)
    if not run.clients:
        yield run.harness_error("no client could connect to %s (%d tried); see the performer log"
                                % (spec.endpoints, run.failures))
        return
    if spec.prefill:
        t0 = time.monotonic()
        err = await _prefill_async(run, sdk)
        if err is not None:
            yield run.harness_error("prefill failed: %s: %s" % (type(err).__name__, err))
            return
        run.prefill_ms = int((time.monotonic() - t0) * 1000)
        log("Workload: prefill of %d keys took %d ms" % (spec.key_space, run.prefill_ms))

    run.start = run.last = time.monotonic()
    deadline = run.start + spec.duration_s if spec.duration_s else None
    tasks.extend(asyncio.ensure_future(_work_async(run, sdk, w, deadline))
                 for w in range(spec.workers))
    all_done = asyncio.ensure_future(asyncio.wait(list(tasks)))
    tasks.append(all_done)
    next_tick = run.start + spec.interval_s
    while True:
        finished, _ = await asyncio.wait([all_done], timeout=max(0.0, next_tick - time.monotonic()))
        if finished:
            break
        now = time.monotonic()
        yield run.interval(now)
        next_tick += spec.interval_s
        if next_tick < now:
            next_tick = now + spec.interval_s
    end = time.monotonic()
    r = run.interval(end, force=True)
    if r is not None:
        yield r
    yield run.final(end)


async def _prefill_async(run, sdk):
    spec, nxt, first = run.spec, [0], []

    async def fill(c):
        while not first:
            i = nxt[0]
            nxt[0] += 1
            if i >= spec.key_space:
                return
            try:
                await sdk.run(c, PUT, spec.key(i), spec)
            except Exception as e:
                first.append(e)

    await asyncio.gather(*(fill(run.clients[w % len(run.clients)])
                           for w in range(min(spec.workers, 64))))
    return first[0] if first else None


async def _work_async(run, sdk, w, deadline):
    spec = run.spec
    c = run.clients[w % len(run.clients)]
    tally = run.tallies[w]
    rng = random.Random(w * 7919 + int(run.start * 1e6))
    while True:
        if deadline is not None and time.monotonic() >= deadline:
            return
        got = run.claim(rng)
        if got is None:
            return
        n, i = got
        began = time.monotonic()
        if spec.rate:
            began = run.start + (n - 1) / spec.rate
            wait = began - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if deadline is not None and time.monotonic() >= deadline:
                return
        op = run.pick(rng)
        try:
            await sdk.run(c, op, spec.key(i), spec)
            err = None
        except asyncio.CancelledError:
            raise
        except Exception as e:
            err = run.map_error(e)
        tally.record(_micros(began), err)
