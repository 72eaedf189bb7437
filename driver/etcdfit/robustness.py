"""`etcdfit robustness`: concurrent traffic from several SDKs on one etcd (or a 3-member cluster
with faults), recorded as a history and checked for linearizability (porcupine) and etcd's watch
guarantees (docs/concurrency.md, "Robustness").

    etcdfit robustness --performer go-clientv3 --performer python-etcd3 --duration 60s
    etcdfit robustness --performer go-clientv3 --topology cluster3 --faults --duration 60s

Every client runs one command per Execute, so a command's interval is exactly [sent, answered]
on the driver's clock. Traffic per command: get, put (a value never written before), a
compare-and-swap txn on the value the client last read, delete, and on lease keys (never read
by the model) grant, put with the lease, revoke. One watch per performer (that claims watch)
follows the whole key prefix from the first revision; at the end every watch is collected up
to the final revision and checked against etcd's own history. Bounded: the traffic stops at
--duration, the collection and the check have their own deadlines.

Exit: 0 clean, 1 a violation (the visualization's path is printed), 2 could not run.
"""

from __future__ import annotations

import json
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import capabilities as caps
from .errors import EtcdfitError
from .gen.etcdfit.performer.v1 import performer_pb2 as pb
from .history import linearizability
from .history.record import NEVER, History, Operation
from .history.watch import WatchChecker, WatchRequest, check_reliable
from .outcomes import Kind, Problem
from .performer.pool import PerformerPool, PerformerSession, PerformerSpec
from .program import Cmd, compare, delete, get, lease_grant, lease_revoke, put, txn, watch_collect, watch_start

NEEDS = ("kv.put", "kv.range", "kv.delete", "txn", "txn.compare.value")
PROGRESS_EVERY_S = 5.0
CALL_TIMEOUT_S = 15.0        # one command's deadline (Execute)
WATCH_COLLECT_S = 20.0       # catching every watch up to the final revision, at most
CHECK_TIMEOUT_S = 60.0       # porcupine


def parse_duration(text: str) -> float:
    """'60s', '2m', '500ms', '90' (seconds)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", text)
    if not m:
        raise EtcdfitError(f"--duration {text!r}: expected a number with s, m or ms (e.g. 60s)")
    n = float(m.group(1))
    return {"ms": n / 1000, "s": n, "m": n * 60, None: n}[m.group(2)]


@dataclass
class Worker:
    session: PerformerSession
    label: str
    rng: random.Random
    leases: bool
    ops: list[Operation] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    last_value: dict[bytes, bytes] = field(default_factory=dict)
    failure: str = ""


class Robustness:
    def __init__(self, specs: list[str], out: Path, *, duration: float, clients: int = 2, keys: int = 6,
                 topology: str = "single", faults: bool = False, etcd: str = "embedded", seed: int | None = None,
                 echo: bool = True, plant_stale_read: bool = False):
        if not specs:
            raise EtcdfitError("give at least one --performer NAME[@VERSION]")
        if topology not in ("single", "cluster3"):
            raise EtcdfitError(f"--topology {topology}: expected single or cluster3")
        if faults and topology != "cluster3":
            raise EtcdfitError("--faults needs --topology cluster3 (faults kill, move and isolate members)")
        if duration <= 0 or clients < 1 or keys < 1:
            raise EtcdfitError("--duration, --clients and --keys must be positive")
        self.specs, self.out, self.duration, self.clients, self.keys = specs, out.resolve(), duration, clients, keys
        self.topology, self.faults, self.etcd, self.echo = topology, faults, etcd, echo
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1 << 30)
        self.run_id = uuid.uuid4().hex[:8]
        self.prefix = f"/robustness/{self.run_id}/".encode()
        self.fault_log: list[dict[str, Any]] = []
        self.fault_every = max(3.0, duration / 8)  # seconds between faults (a harness test shortens it)
        # Test hook (--plant-stale-read): before the check, rewrite one recorded read to the key's
        # initial value after a write to it was acknowledged, so a real run must end in a violation.
        self.plant_stale_read = plant_stale_read

    def say(self, text: str) -> None:
        if self.echo:
            print(f"[etcdfit] robustness: {text}", flush=True)

    # ---------------------------------------------------------------- the run

    def run(self) -> dict[str, Any]:
        from .oracle import Oracle
        from .servers import catalog, embedded

        logs = self.out / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        server: Any = None
        lab: Any = None
        toxi: Any = None
        pool = PerformerPool([PerformerSpec.parse(s) for s in self.specs], logs)
        sessions: list[PerformerSession] = []
        try:
            if self.topology == "cluster3":
                from .faults import Toxiproxy
                from .faults.cluster_lab import ClusterLab

                toxi = Toxiproxy(logs)
                lab = ClusterLab(catalog.resolve(self.etcd), logs, toxi)
                endpoints, version = lab.endpoints, lab.cluster.version
            else:
                server = embedded.start_version(self.etcd, logs)
                endpoints, version = server.endpoints, server.version
            self.say(f"etcd {version} ({self.topology}) at {', '.join(endpoints)}; seed {self.seed}; "
                     f"keys under {self.prefix.decode()}")
            oracle = Oracle(endpoints[0])
            try:
                return self._run(pool, sessions, endpoints, version, oracle, lab, started)
            finally:
                oracle.close()
        finally:
            for s in sessions:
                try:
                    s.close()
                except EtcdfitError:
                    pass
            pool.close()
            if lab is not None:
                lab.close()
            if toxi is not None:
                toxi.close()
            if server is not None:
                server.stop()

    def _connect(self, pool: PerformerPool, sessions: list[PerformerSession],
                 endpoints: list[str]) -> list[tuple[str, PerformerSession]]:
        out: list[tuple[str, PerformerSession]] = []
        for spec in self.specs:
            client = pool.get(spec)
            ident = client.identity
            assert ident is not None
            lacking = caps.missing(list(NEEDS), ident.capabilities)
            if lacking:
                raise EtcdfitError(f"{ident.label} lacks {', '.join(lacking)}: robustness traffic needs "
                                   + ", ".join(NEEDS))
            for _ in range(self.clients):
                resp = client.connect_response(endpoints, request_timeout_ms=5000, timeout=30.0)
                if resp.HasField("error") or not resp.client_id:
                    raise EtcdfitError(f"{ident.label} could not connect: {resp.error.message}")
                s = PerformerSession(client, resp.client_id, spec, CALL_TIMEOUT_S)
                sessions.append(s)
                out.append((spec, s))
        return out

    def _run(self, pool: PerformerPool, sessions: list[PerformerSession], endpoints: list[str], version: str,
             oracle: Any, lab: Any, started: float) -> dict[str, Any]:
        conns = self._connect(pool, sessions, endpoints)
        initial = {self._key(i): b"init" for i in range(self.keys)}
        for k, v in initial.items():
            oracle.put(k, v)
        start_rev = oracle.revision()
        watchers = self._start_watches(pool, sessions, endpoints, start_rev)
        rng = random.Random(self.seed)
        workers = [Worker(s, f"{s.identity.label}/{s.client_id}", random.Random(rng.randrange(1 << 30)),
                          "lease.grant" in s.capabilities and "kv.put.lease" in s.capabilities and
                          "lease.revoke" in s.capabilities)
                   for _, s in conns]
        for w in workers:
            w.last_value = dict(initial)
        stop = threading.Event()
        threads = [threading.Thread(target=self._traffic, args=(w, stop), daemon=True,
                                    name=f"etcdfit-robustness-{w.label}") for w in workers]
        if lab is not None and self.faults:
            threads.append(threading.Thread(target=self._inject, args=(lab, stop, rng), daemon=True,
                                            name="etcdfit-robustness-faults"))
        self.say(f"{len(workers)} clients ({self.clients} per performer), {len(watchers)} watches, "
                 f"{self.duration:.0f}s of traffic" + (", faults on" if self.faults else ""))
        t0 = time.monotonic()
        for t in threads:
            t.start()
        next_report = t0 + PROGRESS_EVERY_S
        while time.monotonic() - t0 < self.duration:
            time.sleep(min(0.5, max(0.0, self.duration - (time.monotonic() - t0))))
            if time.monotonic() >= next_report:
                next_report += PROGRESS_EVERY_S
                total = sum(len(w.ops) for w in workers)
                errs = sum(sum(w.errors.values()) for w in workers)
                self.say(f"{time.monotonic() - t0:5.1f}s/{self.duration:.0f}s: {total} operations, {errs} errors"
                         + (f", {len(self.fault_log)} faults" if self.faults else ""))
        stop.set()
        for t in threads:
            t.join(CALL_TIMEOUT_S + 30)
        traffic_s = time.monotonic() - t0
        if lab is not None:
            lab.settle()
        final_rev = oracle.revision()
        history = History()
        for w in workers:
            history.operations += w.ops
        history.operations.sort(key=lambda o: o.call_ns)
        history_path = history.save(self.out / "history.json")
        self.say(f"traffic done: {len(history.operations)} operations in {traffic_s:.1f}s; checking "
                 f"linearizability (porcupine, {CHECK_TIMEOUT_S:.0f}s at most)")
        viz = self.out / "linearizability.html"
        viz.unlink(missing_ok=True)
        planted = plant_stale_read(history, initial) if self.plant_stale_read else None
        if self.plant_stale_read:
            self.say(f"test hook: planted a stale read in {planted or 'nothing (no read after an acknowledged write)'}")
        applied = applied_values(oracle, self.prefix, start_rev, final_rev)
        checked, patch = patch_history(history, applied)
        if patch["dropped"] or patch["kept_open"]:
            self.say(f"failed writes: {patch['dropped']} never applied (no event has their value: left out), "
                     f"{patch['kept_open']} applied or unknown (open-ended)")
        verdict = linearizability.check(checked, viz, timeout_s=CHECK_TIMEOUT_S, initial=initial)
        self.say(f"linearizability: {verdict.result} ({verdict.operations} operations checked in "
                 f"{verdict.seconds:.2f}s)")
        watch_problems, watch_stats = self._check_watches(watchers, oracle, start_rev, final_rev)
        self.say(f"watch guarantees: {len(watch_problems)} violations over "
                 f"{sum(s['events'] for s in watch_stats)} events in {len(watch_stats)} watches")
        failures = [w.failure for w in workers if w.failure]
        doc: dict[str, Any] = {
            "kind": "etcdfit-robustness", "run_id": self.run_id, "seed": self.seed,
            "performers": [{"spec": s, "label": pool.get(s).identity.label} for s in self.specs],  # type: ignore[union-attr]
            "etcd_version": version, "topology": self.topology, "faults": self.fault_log,
            "duration_s": self.duration, "traffic_s": round(traffic_s, 2),
            "clients": len(workers), "keys": self.keys, "start_revision": start_rev, "final_revision": final_rev,
            "operations": len(history.operations),
            "by_client": {w.label: {"operations": len(w.ops), "kinds": dict(w.counts), "errors": dict(w.errors),
                                    "failure": w.failure} for w in workers},
            "failed_writes": patch,
            "linearizability": {"result": verdict.result, "checked": verdict.operations,
                                "excluded_keys": [k.decode("latin-1") for k in verdict.excluded_keys],
                                "check_s": round(verdict.seconds, 3),
                                "visualization": verdict.visualization or ""},
            "watch": {"watches": watch_stats, "violations": [p.to_json() for p in watch_problems]},
            "history": str(history_path), "wall_s": round(time.monotonic() - started, 2),
            "client_failures": failures,
        }
        if self.plant_stale_read:
            doc["planted_stale_read"] = planted
        doc["ok"] = verdict.result == "ok" and not watch_problems and not failures
        (self.out / "result.json").write_text(json.dumps(doc, indent=1))
        return doc

    def _key(self, i: int) -> bytes:
        return self.prefix + f"k{i}".encode()

    # ---------------------------------------------------------------- traffic

    def _traffic(self, w: Worker, stop: threading.Event) -> None:
        """One client's loop: a random command per Execute until `stop` (bounded by the duration)."""
        n = 0
        lease_key = self.prefix + f"lease/{w.session.client_id}-{w.session.spec}".encode()
        lease_id = 0
        max_ops = 1_000_000
        while not stop.is_set() and n < max_ops:
            n += 1
            r = w.rng.random()
            key = self._key(w.rng.randrange(self.keys))
            fresh = f"{w.label}#{n}".encode()
            kind: str
            if w.leases and r < 0.08:
                if lease_id == 0:
                    kind, cmd = "lease_grant", lease_grant(30)
                elif r < 0.05:
                    kind, cmd = "lease_put", put(lease_key, fresh, lease=lease_id)
                else:
                    kind, cmd = "lease_revoke", lease_revoke(lease_id)
            elif r < 0.45:
                kind, cmd = "get", get(key)
            elif r < 0.75:
                kind, cmd = "put", put(key, fresh)
            elif r < 0.93:
                kind, cmd = "cas", txn([compare(key, "value", "=", w.last_value.get(key, b"init"))],
                                       [put(key, fresh)])
            else:
                kind, cmd = "delete", delete(key)
            res = self._execute(w, n, cmd)
            w.counts[kind] += 1
            outcome = res.WhichOneof("outcome") if res is not None else None
            if outcome != "ok":
                w.errors[kind] += 1
            if res is None:
                return
            if outcome == "ok":
                if kind == "lease_grant":
                    lease_id = res.ok.lease_grant.id
                elif kind == "lease_revoke":
                    lease_id = 0
                elif kind == "get":
                    kvs = res.ok.range.kvs
                    w.last_value[key] = kvs[0].value if kvs else b""
            elif kind == "lease_revoke":
                lease_id = 0

    def _execute(self, w: Worker, index: int, cmd: Cmd) -> pb.CommandResult | None:
        """Run one command; record it with the driver's send and receipt times. None: the
        performer failed (the worker stops; its open operation stays open-ended)."""
        program = pb.Program(commands=[cmd.command])
        call = time.monotonic_ns()
        try:
            resp = w.session.client.execute(w.session.client_id, program, CALL_TIMEOUT_S)
        except EtcdfitError as exc:
            w.failure = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            w.ops.append(Operation(w.label, index, cmd.command, pb.CommandResult(), call, NEVER))
            return None
        ret = time.monotonic_ns()
        result = resp.results[0] if resp.results else pb.CommandResult()
        w.ops.append(Operation(w.label, index, cmd.command, result, call, ret if resp.results else NEVER,
                               result.call_ns, result.return_ns))
        return result

    # ---------------------------------------------------------------- faults

    def _inject(self, lab: Any, stop: threading.Event, rng: random.Random) -> None:
        """A fault every few seconds while the traffic runs, each undone before the next."""
        every = self.fault_every
        kinds = ["kill_restart", "move_leader", "isolate"]
        i = 0
        while not stop.wait(every) and i < 100:
            i += 1
            kind = kinds[rng.randrange(len(kinds))]
            at = time.monotonic()
            try:
                if kind == "kill_restart":
                    m = rng.randrange(lab.size)
                    lab.kill(m)
                    stop.wait(1.0)
                    lab.restart(m)
                    what = f"killed and restarted member {m}"
                elif kind == "move_leader":
                    to = lab.move_leader()
                    what = f"moved the leader to member {to}"
                else:
                    m = rng.randrange(lab.size)
                    lab.isolate(m)
                    stop.wait(1.5)
                    lab.heal()
                    what = f"isolated member {m} for 1.5s"
                lab.wait_healthy(30.0)
            except EtcdfitError as exc:
                what = f"{kind} failed: {exc}"
            self.fault_log.append({"kind": kind, "what": what, "took_s": round(time.monotonic() - at, 2)})
            self.say(f"fault: {what}")

    # ---------------------------------------------------------------- watches

    def _start_watches(self, pool: PerformerPool, sessions: list[PerformerSession], endpoints: list[str],
                       start_rev: int) -> list[tuple[PerformerSession, WatchChecker]]:
        out = []
        for spec in self.specs:
            client = pool.get(spec)
            ident = client.identity
            assert ident is not None
            if not {"watch", "watch.prefix", "watch.start_revision"} <= ident.capabilities:
                self.say(f"{ident.label}: no watch (lacks watch, watch.prefix or watch.start_revision)")
                continue
            resp = client.connect_response(endpoints, request_timeout_ms=5000, timeout=30.0)
            if resp.HasField("error") or not resp.client_id:
                raise EtcdfitError(f"{ident.label} could not connect its watch client: {resp.error.message}")
            s = PerformerSession(client, resp.client_id, spec, CALL_TIMEOUT_S)
            sessions.append(s)
            cmd = watch_start("all", self.prefix, prefix=True, start_revision=start_rev + 1)
            res = _one(s, cmd)
            if res.WhichOneof("outcome") != "ok":
                raise EtcdfitError(f"{ident.label}: watch_start failed: {str(res).strip()[:300]}")
            out.append((s, WatchChecker(f"{ident.label}/all", WatchRequest.of(cmd.command.watch_start))))
        return out

    def _check_watches(self, watchers: list[tuple[PerformerSession, WatchChecker]], oracle: Any, start_rev: int,
                       final_rev: int) -> tuple[list[Problem], list[dict[str, Any]]]:
        """Each watch: its events against the guarantees, and reliable over the revisions it
        delivered (start, last delivered] against the server's history. A watch that ended or
        stopped short of the final revision is noted; it breaks 'resumable' only when its
        performer claims watch.resume (the SDK re-establishes watches after a fault)."""
        problems: list[Problem] = []
        stats: list[dict[str, Any]] = []
        for s, checker in watchers:
            found: list[Problem] = []
            deadline = time.monotonic() + WATCH_COLLECT_S
            last = start_rev
            batches = 0
            ended, end_error = False, ""
            while last < final_rev and time.monotonic() < deadline and batches < 10_000:
                batches += 1
                res = _one(s, watch_collect("all", 1, timeout_ms=2000))
                if res.WhichOneof("outcome") != "ok":
                    found.append(Problem(Kind.UNEXPECTED_ERROR, f"watch {checker.handle}: collect failed: "
                                         f"{str(res).strip()[:300]}", where=checker.handle))
                    break
                col = res.ok.watch_collect
                found += checker.feed(col.events)
                if col.events:
                    last = max(last, *(e.kv.mod_revision for e in col.events))
                if col.ended:
                    ended = True
                    end_error = f"{pb.ErrorCode.Name(col.end_error.code)}: {col.end_error.message}" \
                        if col.HasField("end_error") else ""
                    break
            req = checker.request
            if last > start_rev:
                history = oracle.history(req.key, req.range_end, start_rev, last, timeout=WATCH_COLLECT_S)
                if history is not None:
                    found += check_reliable(checker.handle, checker.delivered, history, start_rev, last)
            if last < final_rev and "watch.resume" in s.capabilities:
                found.append(Problem(Kind.HISTORY_VIOLATION, f"watch {checker.handle!r} broke the watch guarantee "
                                     "'resumable'", expected=f"events up to revision {final_rev}",
                                     actual=f"it {'ended' if ended else 'stopped'} at {last}"
                                     + (f" ({end_error})" if end_error else "")))
            for p in found:
                p.where = p.where or checker.handle
            problems += found
            stats.append({"watch": checker.handle, "events": len(checker.delivered), "last_revision": last,
                          "caught_up": last >= final_rev, "ended": ended, "end_error": end_error,
                          "claims_resume": "watch.resume" in s.capabilities})
        return problems, stats


def applied_values(oracle: Any, prefix: bytes, since: int, until: int,
                   timeout: float = 30.0) -> set[tuple[bytes, bytes]] | None:
    """(key, value) of every PUT the server applied under `prefix` in (since, until], replayed by a
    watch of the driver's own etcd client (not an SDK's); None when it cannot be read completely
    (compacted, or the replay did not reach `until` within `timeout`)."""
    import queue

    import grpc

    from .gen.etcd.v3 import rpc_pb2 as epb
    from .oracle import prefix_end

    if until <= since:
        return set()
    requests: queue.Queue[epb.WatchRequest | None] = queue.Queue()
    requests.put(epb.WatchRequest(create_request=epb.WatchCreateRequest(
        key=prefix, range_end=prefix_end(prefix), start_revision=since + 1)))

    def feed() -> Any:
        while (r := requests.get()) is not None:
            yield r

    call = oracle.watch_stub.Watch(feed(), timeout=timeout)
    out: set[tuple[bytes, bytes]] = set()
    try:
        for resp in call:
            if resp.compact_revision or resp.canceled:
                return None
            for e in resp.events:
                if e.type == 0:  # mvccpb.Event.PUT
                    out.add((e.kv.key, e.kv.value))
                if e.kv.mod_revision >= until:
                    return out
    except grpc.RpcError:
        return None
    finally:
        requests.put(None)
        call.cancel()
    return None


def plant_stale_read(history: History, initial: dict[bytes, bytes]) -> str | None:
    """Rewrite the first successful get that began after a put to its key was acknowledged so that
    it returns the key's initial value: a stale read (every put writes a value never written
    before, and none writes the initial value again). -> the operation's label, None if none."""
    acked: dict[bytes, int] = {}
    for o in sorted(history.operations, key=lambda o: o.call_ns):
        name = o.name
        if name == "put" and o.outcome == "ok" and o.command.put.key in initial and o.return_ns != NEVER:
            k = o.command.put.key
            acked[k] = min(acked.get(k, o.return_ns), o.return_ns)
        elif (name == "range" and o.outcome == "ok" and o.command.range.key in acked
              and o.call_ns > acked[o.command.range.key] and o.result.ok.range.kvs):
            o.result.ok.range.kvs[0].value = initial[o.command.range.key]
            return f"{o.client} #{o.index}"
    return None


def patch_history(history: History, applied: set[tuple[bytes, bytes]] | None) -> tuple[History, dict[str, int]]:
    """The history to check: a failed put or compare-and-swap whose value (unique per write) no
    PUT event of the server carries was never applied, so it is left out (as etcd's robustness
    tests patch their histories with the server's events); one whose value was applied, or a
    failed delete, stays open-ended. Without the server's events nothing changes. Dropping
    only provably unapplied writes never hides a violation and keeps porcupine's search small:
    every open-ended write multiplies the orders it must try."""
    stats = {"dropped": 0, "kept_open": 0}
    if applied is None:
        return history, stats
    keep: list[Operation] = []
    for o in history.operations:
        if o.outcome == "ok" or o.name not in ("put", "txn", "delete_range"):
            keep.append(o)
            continue
        written: tuple[bytes, bytes] | None = None
        if o.name == "put":
            written = (o.command.put.key, o.command.put.value)
        elif o.name == "txn" and len(o.command.txn.success) == 1 and \
                o.command.txn.success[0].WhichOneof("request") == "put":
            op = o.command.txn.success[0].put
            written = (op.key, op.value)
        if written is not None and written not in applied:
            stats["dropped"] += 1
            continue
        stats["kept_open"] += 1
        keep.append(o)
    return History(keep), stats


def _one(s: PerformerSession, cmd: Cmd) -> pb.CommandResult:
    resp = s.client.execute(s.client_id, pb.Program(commands=[cmd.command]), CALL_TIMEOUT_S)
    return resp.results[0] if resp.results else pb.CommandResult()


def _short(stat: dict[str, Any]) -> str:
    if stat["caught_up"]:
        return ""
    how = "ended" if stat["ended"] else "stopped"
    why = f": {stat['end_error']}" if stat["end_error"] else ""
    resume = "" if stat["claims_resume"] else ", the SDK does not claim watch.resume"
    return f" ({how} at revision {stat['last_revision']}{why}{resume})"


def summary(doc: dict[str, Any]) -> str:
    lin = doc["linearizability"]
    head = (f"etcd {doc['etcd_version']} ({doc['topology']}), seed {doc['seed']}, "
            f"{doc['traffic_s']}s of traffic from {doc['clients']} clients:")
    lines = [head]
    for label, c in doc["by_client"].items():
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(c["kinds"].items()))
        errs = sum(c["errors"].values())
        failed = f"  FAILED: {c['failure']}" if c["failure"] else ""
        lines.append(f"  {label:<40} {c['operations']:>6} ops ({kinds}){f', {errs} errors' if errs else ''}{failed}")
    lines += [f"  fault: {f['what']} ({f['took_s']}s)" for f in doc["faults"]]
    lines.append(f"history: {doc['operations']} operations ({doc['history']})")
    lines.append(f"linearizability: {lin['result'].upper()} - {lin['checked']} operations checked in "
                 f"{lin['check_s']}s" + (f"; visualization {lin['visualization']}" if lin["visualization"] else ""))
    w = doc["watch"]
    lines.append(f"watch guarantees: {'OK' if not w['violations'] else 'VIOLATED'} - "
                 + ", ".join(f"{s['watch']} {s['events']} events{_short(s)}" for s in w["watches"]))
    lines += [f"  {v.get('message', '')}: expected {v.get('expected', '')}, got {v.get('actual', '')}"
              for v in w["violations"][:10]]
    lines.append("RESULT: " + ("clean" if doc["ok"] else "VIOLATION" if lin["result"] == "illegal" or w["violations"]
                               else "NOT CLEAN"))
    return "\n".join(lines)


def main(args: Any) -> int:
    r = Robustness(args.performer, Path(args.out), duration=parse_duration(args.duration), clients=args.clients,
                   keys=args.keys, topology=args.topology, faults=args.faults, etcd=args.etcd, seed=args.seed,
                   plant_stale_read=args.plant_stale_read)
    doc = r.run()
    print("\n== etcdfit robustness ==")
    print(summary(doc))
    print(f"\nJSON result: {r.out / 'result.json'}")
    lin = doc["linearizability"]
    if lin["result"] == "illegal":
        print(f"porcupine visualization: {lin['visualization']}", file=sys.stderr)
    if doc["ok"]:
        return 0
    return 1 if lin["result"] == "illegal" or doc["watch"]["violations"] else 2
