"""A perf run: one etcd server, the profile's steps in order, each step run by etcd's benchmark
tool and then by each performer's Workload, `repeat` times (repeat-major, so slow drift on the
machine spreads over every subject instead of landing on one).

Results are written after every run to OUT/results.json (etcdfit.perf/v1), so an interrupted
run keeps what it measured; logs (etcd, performers, tool) go to OUT/logs/.
"""

from __future__ import annotations

import datetime as _dt
import os
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from ..errors import EtcdfitError
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..oracle import Oracle
from ..performer import build, manifest
from ..performer.client import PerformerClient
from ..servers import embedded
from . import benchtool, results
from .histogram import Histogram, merged
from .profile import Profile, Step

CAPABILITY = "perf.workload"
_OPS = {"put": pb.WORKLOAD_OP_PUT, "get": pb.WORKLOAD_OP_GET, "range": pb.WORKLOAD_OP_RANGE,
        "txn": pb.WORKLOAD_OP_TXN, "delete": pb.WORKLOAD_OP_DELETE}
COMPACT_EVERY_S = 60.0
# The driver ends a step at its deadline_s with a timer of its own, and gives the RPC this
# much longer as its gRPC deadline. Were the two the same, the performer's server could
# time the stream out first and reset it (CANCELLED, RST_STREAM code 8), a race that made
# the cut look like a performer failure.
DEADLINE_BACKSTOP_S = 30.0


@dataclass
class Subject:
    """A performer under test in this run."""

    spec: str
    client: PerformerClient | None
    label: str
    skip_reason: str = ""
    cpu_mark: float = 0.0   # the performer's CPU seconds when its previous workload ended


def workload_request(step: Step, endpoints: list[str], prefix: str) -> pb.WorkloadRequest:
    return pb.WorkloadRequest(
        endpoints=endpoints, clients=step.clients, concurrency=step.workers,
        mix=[pb.OpWeight(op=_OPS[op], weight=w) for op, w in step.mix.items() if w > 0],
        key_space=step.key_space,
        key_distribution=pb.KEY_DISTRIBUTION_SEQUENTIAL if step.key_distribution == "sequential"
        else pb.KEY_DISTRIBUTION_UNIFORM,
        key_size=step.key_size, value_size=step.value_size, key_prefix=prefix.encode(),
        duration_ms=round(step.duration_s * 1000), total_ops=step.ops, target_rate=step.rate,
        report_interval_ms=step.report_interval_ms, range_limit=step.range_limit, prefill=step.prefill)


def run_from_reports(reports: Sequence[Any], cpu_mark: float) -> dict[str, Any]:
    """A run record from a Workload's reports (the final one last)."""
    final = reports[-1]
    if final.harness_error:
        return {"status": "failed", "reason": f"the performer could not run the workload: {final.harness_error}"}
    if not final.final:
        return {"status": "failed", "reason": "the Workload stream ended without a final report"}
    hist = Histogram.from_proto(final.latency)
    wall = final.elapsed_ms / 1000
    connect = sorted(final.connect_us)
    timeline = []
    for r in reports:
        if r.final:
            continue
        h = Histogram.from_proto(r.latency)
        timeline.append({"t_s": r.elapsed_ms / 1000, "ops": r.ops,
                         "ops_per_s": r.ops / (r.interval_ms / 1000) if r.interval_ms else 0.0,
                         "p99_us": h.percentile(0.99), "errors": sum(e.count for e in r.errors),
                         "rss_bytes": r.rss_bytes, "cpu_s": r.cpu_seconds})
    errors = {pb.ErrorCode.Name(e.code): int(e.count) for e in final.errors}
    cpu = max(0.0, final.cpu_seconds - cpu_mark)
    return {
        "status": "ok", "ops": final.ops, "errors": errors,
        "error_samples": {pb.ErrorCode.Name(e.code): e.sample for e in final.errors if e.sample},
        "wall_s": wall, "throughput": final.ops / wall if wall > 0 else 0.0,
        "latency_us": hist.summary(), "histogram": hist.to_json(),
        "connections": final.connections, "connect_failures": final.connect_failures, "connect_us": connect,
        "connect_us_median": connect[len(connect) // 2] if connect else None,
        "connect_us_max": connect[-1] if connect else None, "prefill_s": final.prefill_ms / 1000,
        "cpu_s": cpu, "cpu_us_per_op": cpu * 1e6 / final.ops if final.ops else None,
        "rss_bytes_end": final.rss_bytes, "rss_growth_per_hour": results.rss_growth_per_hour(timeline),
        "timeline": timeline,
    }


class Runner:
    def __init__(self, profile: Profile, performers: Sequence[str], etcd: str, out: Path, *, repeat: int = 1,
                 tool: bool = True, echo: bool = True):
        if repeat < 1:
            raise EtcdfitError(f"--repeat {repeat}: expected 1 or more")
        self.profile, self.specs, self.etcd, self.repeat, self.tool, self.echo = \
            profile, list(performers), etcd, repeat, tool, echo
        self.out = out.resolve()
        self.logs = self.out / "logs"
        self.run_id = uuid.uuid4().hex[:8]

    def say(self, text: str) -> None:
        if self.echo:
            print(f"[etcdfit] perf {self.profile.name}: {text}", flush=True)

    def run(self) -> dict[str, Any]:
        self.logs.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        tool_bin = benchtool.build() if self.tool else None
        server = embedded.start_version(self.etcd, self.logs)
        subjects: list[Subject] = []
        try:
            self.say(f"etcd {server.version} at {server.endpoints[0]} ({self.etcd})")
            subjects = [self._launch(s) for s in self.specs]
            doc = self._doc(server.version, subjects)
            oracle = Oracle(server.endpoints[0])
            try:
                for rep in range(self.repeat):
                    for si, step in enumerate(self.profile.steps):
                        entry = doc["steps"][si]
                        where = f"step {step.name} ({si + 1}/{len(self.profile.steps)})" + \
                            (f" repeat {rep + 1}/{self.repeat}" if self.repeat > 1 else "")
                        # The order rotates with the repeat: whoever runs later meets a bigger store and a
                        # warmer machine, and rotating spreads that over every subject.
                        order: list[Subject | None] = ([None] if tool_bin is not None else []) + list(subjects)
                        shift = rep % len(order) if order else 0
                        for subj in order[shift:] + order[:shift]:
                            if subj is None:
                                assert tool_bin is not None
                                run = self._tool_run(tool_bin, step, server.endpoints[0], oracle, rep, where)
                            else:
                                run = self._workload_run(subj, step, server.endpoints, oracle, rep, where)
                            entry["runs"].append(run)
                            self._save(doc, entry)
            finally:
                oracle.close()
            doc["finished"] = _now()
            doc["wall_s"] = time.monotonic() - t0
            results.save(doc, self.out / "results.json")
            return doc
        finally:
            for s in subjects:
                if s.client is not None:
                    s.client.close()
            server.stop()

    # ---------------------------------------------------------------- subjects

    def _launch(self, spec: str) -> Subject:
        name, version = manifest.parse_spec(spec)
        m = manifest.load(name)
        v = m.resolve_version(version)
        client = PerformerClient.launch(m, v, build.build(m, v), self.logs)
        ident = client.identity
        assert ident is not None
        subj = Subject(spec, client, ident.label)
        if CAPABILITY not in ident.capabilities:
            subj.skip_reason = f"capability {CAPABILITY} not claimed by {ident.label}"
            self.say(f"{ident.label}: {subj.skip_reason} (skipped)")
        return subj

    def _doc(self, server_version: str, subjects: list[Subject]) -> dict[str, Any]:
        tool = benchtool.describe() if self.tool else None
        subs = ([{"id": f"{tool['name']}@{tool['version']}", "kind": "tool", **tool}] if tool else []) + [
            {"id": s.label, "kind": "performer", "spec": s.spec,
             "language": s.client.identity.language if s.client and s.client.identity else "",
             "sdk_package": s.client.identity.sdk_package if s.client and s.client.identity else "",
             "claims_workload": not s.skip_reason} for s in subjects]
        return {"schema": results.SCHEMA, "run_id": self.run_id, "started": _now(), "finished": None,
                "profile": {"name": self.profile.name, "path": str(self.profile.path),
                            "description": self.profile.description},
                "server": {"spec": self.etcd, "version": server_version}, "repeat": self.repeat,
                "host": {"cpus": os.cpu_count(), "throttle": os.environ.get("ETCDFIT_PERF_NOTE", "")},
                "subjects": subs,
                "steps": [{"name": s.name, "config": s.to_json(), "runs": [], "summary": []}
                          for s in self.profile.steps]}

    def _save(self, doc: dict[str, Any], entry: dict[str, Any]) -> None:
        entry["summary"] = results.summarize(entry)
        results.save(doc, self.out / "results.json")

    # ---------------------------------------------------------------- runs

    def _tool_run(self, binary: Path, step: Step, endpoint: str, oracle: Oracle, rep: int,
                  where: str) -> dict[str, Any]:
        tool = benchtool.describe()
        rec: dict[str, Any] = {"subject": f"{tool['name']}@{tool['version']}", "kind": "tool", "repeat": rep}
        argv, why = benchtool.step_argv(step, endpoint)
        if argv is None:
            rec.update(status="skipped", reason=why)
            return rec
        if step.mix.get("get"):
            oracle.put(benchtool.RANGE_KEY, "v" * step.value_size)
        rec["argv"] = argv
        try:
            r = benchtool.run(binary, argv, step.deadline_s, self.logs / f"benchmark-{step.name}-{rep}.log")
        except benchtool.BenchToolError as exc:
            rec.update(status="failed", reason=str(exc))
            self.say(f"{where}: {rec['subject']}: FAILED: {exc}")
            return rec
        finally:
            _compact(oracle)
        rec.update(status="ok", ops=r.ops, errors=r.errors, wall_s=r.wall_s, throughput=r.throughput,
                   latency_us=r.latency_us)
        self.say(f"{where}: {rec['subject']}: {_figures(rec)}")
        return rec

    def _workload_run(self, subj: Subject, step: Step, endpoints: list[str], oracle: Oracle, rep: int,
                      where: str) -> dict[str, Any]:
        rec: dict[str, Any] = {"subject": subj.label, "kind": "performer", "repeat": rep}
        if subj.skip_reason:
            rec.update(status="skipped", reason=subj.skip_reason)
            return rec
        assert subj.client is not None
        prefix = f"etcdfit-perf/{self.run_id}/{step.name}/{rep}/{subj.label}/"
        req = workload_request(step, endpoints, prefix)
        reports: list[Any] = []
        stop = threading.Event()
        compactor = threading.Thread(target=_compact_loop, args=(oracle, stop), daemon=True)
        compactor.start()
        call = subj.client.stub.Workload(req, timeout=step.deadline_s + DEADLINE_BACKSTOP_S)
        cut = threading.Event()

        def _cut() -> None:
            cut.set()
            call.cancel()  # the performer sees the stream end and stops its workers

        timer = threading.Timer(step.deadline_s, _cut)
        timer.daemon = True
        timer.start()
        try:
            reports.extend(call)  # one report per interval, the final one last
        except grpc.RpcError as exc:
            code = exc.code()
            if code == grpc.StatusCode.UNIMPLEMENTED:
                reason = f"capability {CAPABILITY} not claimed: {subj.label} answered UNIMPLEMENTED"
                rec.update(status="skipped", reason=reason)
                subj.skip_reason = reason
            elif cut.is_set() or code == grpc.StatusCode.DEADLINE_EXCEEDED:
                rec.update(status="failed", reason=f"the workload did not finish within the step's "
                                                   f"{step.deadline_s:.0f}s (timeout_s)")
            else:
                rec.update(status="failed", reason=f"Workload failed: {code.name}: {exc.details()}")
                if not subj.client.alive():
                    rec["reason"] += f" (the performer exited; log {subj.client.log}:\n{subj.client.log_tail()})"
        except BaseException:
            call.cancel()  # Ctrl-C: stop the performer's workers before leaving
            raise
        finally:
            timer.cancel()
            stop.set()
            compactor.join(timeout=10)
            _compact(oracle)
        if "status" not in rec:
            rec.update(run_from_reports(reports, subj.cpu_mark) if reports else
                       {"status": "failed", "reason": "the Workload stream ended without any report"})
            if reports:
                subj.cpu_mark = reports[-1].cpu_seconds
        self.say(f"{where}: {subj.label}: " + (_figures(rec) if rec["status"] == "ok"
                                                 else f"{rec['status'].upper()}: {rec['reason']}"))
        return rec


def _figures(rec: dict[str, Any]) -> str:
    lat = rec["latency_us"]
    errs = sum(rec.get("errors", {}).values())
    return (f"{rec['throughput']:.0f} ops/s, p50 {lat['p50'] / 1000:.2f} ms, p99 {lat['p99'] / 1000:.2f} ms, "
            f"{rec['ops']} ops in {rec['wall_s']:.1f}s" + (f", {errs} errors" if errs else ""))


def _compact(oracle: Oracle) -> None:
    """Compact the server to its current revision, so long runs do not fill its quota."""
    try:
        oracle.compact(oracle.revision(), physical=False)
    except Exception:  # a compaction that races another one is harmless
        pass


def _compact_loop(oracle: Oracle, stop: threading.Event) -> None:
    while not stop.wait(COMPACT_EVERY_S):
        _compact(oracle)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def merged_histogram(runs: Sequence[dict[str, Any]]) -> Histogram:
    """The histogram of several repeats of one subject (for percentiles over the whole run)."""
    return merged(Histogram.from_json(r["histogram"]) for r in runs if r.get("histogram"))
