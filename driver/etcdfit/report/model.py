"""The results model: one typed document used to write, merge, read and report results.

Schema `etcdfit.results/v2` (docs/results-schema.md). Version-1 files still load: their
records get no problems (the failure text stays in `message`) and their program text
becomes a one-item program.
"""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EtcdfitError
from ..outcomes import Problem, ProgramRecord

SCHEMA = "etcdfit.results/v2"
SCHEMA_V1 = "etcdfit.results/v1"
OUTCOMES = ("passed", "failed", "error", "known_failure", "flaky", "skipped")
FAILING = ("failed", "error")
TOPOLOGIES = ("single", "cluster3")


class ResultsFileError(EtcdfitError):
    """A results file is missing, unreadable or not an etcdfit results document: the message names it."""


def cell_id(name: str, sdk_version: str, server: str, topology: str = "single", security: str = "plain") -> str:
    """The one spelling of a cell's identity: `go-clientv3@3.6.16 | etcd 3.5.1` (+ ` | cluster3`)
    (+ ` | tls+auth`: the server's security as --security spells it, docs/security.md)."""
    base = f"{name}@{sdk_version} | etcd {server}"
    if topology not in ("", "single"):
        base += f" | {topology}"
    return base if security in ("", "plain") else f"{base} | {security}"


@dataclass
class TestRecord:
    """One test in one cell, from the pytest phase that decided its outcome."""

    __test__ = False  # not a pytest test class, despite its name

    nodeid: str
    test: str                       # the node id without the performer parameter (the matrix row)
    outcome: str
    phase: str = "call"
    cell: str | None = None
    performer: str | None = None    # the performer spec as given
    duration_s: float = 0.0
    classification: str | None = None
    problems: list[Problem] = field(default_factory=list)
    program: ProgramRecord | None = None
    message: str = ""
    log_tail: str = ""
    timeline: list[dict[str, Any]] = field(default_factory=list)  # a fault test's faults: at_s, action, target, detail

    def to_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "nodeid": self.nodeid, "test": self.test, "performer": self.performer,
                "phase": self.phase, "outcome": self.outcome, "duration_s": self.duration_s,
                "classification": self.classification, "problems": [p.to_json() for p in self.problems],
                "program": self.program.to_json() if self.program else None,
                "message": self.message, "log_tail": self.log_tail, "timeline": self.timeline}

    @classmethod
    def from_json(cls, d: dict[str, Any], v1: bool = False) -> TestRecord:
        program = d.get("program")
        if v1:
            text = program or ""
            prog = ProgramRecord("", [ln.strip() for ln in text.splitlines() if ln.strip()]) if text else None
        else:
            prog = ProgramRecord.from_json(program)
        return cls(nodeid=str(d["nodeid"]), test=str(d.get("test") or d["nodeid"]), outcome=str(d["outcome"]),
                   phase=str(d.get("phase") or "call"), cell=d.get("cell"), performer=d.get("performer"),
                   duration_s=float(d.get("duration_s") or 0), classification=d.get("classification"),
                   problems=[Problem.from_json(p) for p in d.get("problems") or []], program=prog,
                   message=str(d.get("message") or ""), log_tail=str(d.get("log_tail") or ""),
                   timeline=list(d.get("timeline") or []))


@dataclass
class Cell:
    """One performer x SDK version x etcd server x topology x security, with its outcome counts."""

    id: str
    performer: str                  # the spec (NAME@VERSION in a matrix)
    sdk_version: str
    server: str
    topology: str = "single"
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    exit_code: int | None = None    # matrix only: the cell's pytest exit code
    duration_s: float | None = None
    junit: str | None = None        # matrix only: its JUnit XML, relative to the results file
    requested: str | None = None    # matrix only: the cell as the matrix file names it
    error: str | None = None        # matrix only: why the cell produced no results
    security: str = "plain"         # plain, tls, mtls, auth, tls+auth, ... (--security; docs/security.md)

    def to_json(self) -> dict[str, Any]:
        d = {"id": self.id, "performer": self.performer, "sdk_version": self.sdk_version, "server": self.server,
             "topology": self.topology, "security": self.security, "counts": dict(self.counts)}
        for k in ("exit_code", "duration_s", "junit", "requested", "error"):
            if getattr(self, k) is not None:
                d[k] = getattr(self, k)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Cell:
        counts = dict.fromkeys(OUTCOMES, 0)
        counts.update({k: int(v) for k, v in (d.get("counts") or {}).items()})
        return cls(id=str(d["id"]), performer=str(d.get("performer") or ""),
                   sdk_version=str(d.get("sdk_version") or ""), server=str(d.get("server") or ""),
                   topology=str(d.get("topology") or "single"), counts=counts, exit_code=d.get("exit_code"),
                   duration_s=d.get("duration_s"), junit=d.get("junit"), requested=d.get("requested"),
                   error=d.get("error"), security=str(d.get("security") or "plain"))


@dataclass
class ResultsDoc:
    """A whole results file: the run, its performers, cells and test records."""

    started: str = ""
    duration_s: float = 0.0
    etcd: dict[str, Any] = field(default_factory=lambda: {"endpoints": [], "version": ""})
    performers: dict[str, dict[str, Any]] = field(default_factory=dict)  # spec -> identity
    cells: list[Cell] = field(default_factory=list)
    tests: list[TestRecord] = field(default_factory=list)

    # ---------------------------------------------------------------- building

    @classmethod
    def from_records(cls, records: list[TestRecord], performers: dict[str, dict[str, Any]], *,
                     started: float, etcd: dict[str, Any], topology: str = "single") -> ResultsDoc:
        """A document for one pytest run: cells are counted from the records."""
        cells: dict[str, Cell] = {}
        for r in records:
            p = performers.get(r.performer or "")
            if p and r.cell:
                c = cells.setdefault(r.cell, Cell(r.cell, p["spec"], p["sdk_version"], p.get("etcd_version", ""),
                                                  topology, security=p.get("security") or "plain"))
                c.counts[r.outcome] += 1
        return cls(started=_stamp(started), duration_s=round(time.time() - started, 2), etcd=etcd,
                   performers=performers, cells=sorted(cells.values(), key=lambda c: c.id), tests=list(records))

    # ---------------------------------------------------------------- reading and writing

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "started": self.started, "duration_s": self.duration_s, "etcd": self.etcd,
                "performers": self.performers, "cells": [c.to_json() for c in self.cells],
                "tests": [t.to_json() for t in self.tests]}

    def write(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1))
        tmp.replace(path)

    @classmethod
    def from_json(cls, d: Any, where: str = "results") -> ResultsDoc:
        if not isinstance(d, dict):
            raise ResultsFileError(f"{where}: not an etcdfit results file (a JSON object with a 'schema' field)")
        schema = d.get("schema")
        if schema not in (SCHEMA, SCHEMA_V1):
            raise ResultsFileError(f"{where}: not an etcdfit results file (schema {schema!r}; "
                                   f"this etcdfit reads {SCHEMA} and {SCHEMA_V1})")
        v1 = schema == SCHEMA_V1
        try:
            doc = cls(started=str(d.get("started") or ""), duration_s=float(d.get("duration_s") or 0),
                      etcd=dict(d.get("etcd") or {}), performers=dict(d.get("performers") or {}),
                      cells=[Cell.from_json(c) for c in d.get("cells") or []],
                      tests=[TestRecord.from_json(t, v1) for t in d.get("tests") or []])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ResultsFileError(f"{where}: malformed results document ({type(exc).__name__}: {exc})") from None
        for i, t in enumerate(doc.tests):
            if t.outcome not in OUTCOMES:
                raise ResultsFileError(f"{where}: tests[{i}] ({t.nodeid}) has outcome {t.outcome!r}; "
                                       f"outcomes: {', '.join(OUTCOMES)}")
        return doc

    @classmethod
    def load(cls, path: Path) -> ResultsDoc:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ResultsFileError(f"{path}: cannot read results file ({exc.strerror or exc})") from None
        try:
            d = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ResultsFileError(f"{path}: not a results file (binary, not UTF-8 JSON)") from None
        except json.JSONDecodeError as exc:
            raise ResultsFileError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); "
                                   "a truncated file? re-run the suite to write it again") from None
        return cls.from_json(d, str(path))

    # ---------------------------------------------------------------- views

    def counts_by_performer(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for t in self.tests:
            row = out.setdefault(t.performer or "(none)", dict.fromkeys(OUTCOMES, 0))
            row[t.outcome] += 1
        return out

    def failing(self) -> list[TestRecord]:
        return [t for t in self.tests if t.outcome in FAILING]


def merge(docs: Iterable[ResultsDoc]) -> ResultsDoc:
    """Several documents (e.g. matrix shards) as one: cells and tests concatenated, performers
    united (first one wins), the start the earliest and the wall time up to the latest end."""
    docs = list(docs)
    if not docs:
        raise ResultsFileError("merge: no results documents given")
    if len(docs) == 1:
        return docs[0]
    out = ResultsDoc()
    endpoints: list[str] = []
    versions: list[str] = []
    spans: list[tuple[float, float]] = []
    for d in docs:
        for spec, info in d.performers.items():
            out.performers.setdefault(spec, info)
        out.cells += d.cells
        out.tests += d.tests
        endpoints += [e for e in d.etcd.get("endpoints") or [] if e not in endpoints]
        if d.etcd.get("version") and d.etcd["version"] not in versions:
            versions.append(d.etcd["version"])
        start = _epoch(d.started)
        if start is not None:
            spans.append((start, start + d.duration_s))
    out.etcd = {"endpoints": endpoints, "version": ", ".join(versions)}
    if spans:
        first = min(s for s, _ in spans)
        out.started, out.duration_s = _stamp(first), round(max(e for _, e in spans) - first, 2)
    else:
        out.started, out.duration_s = docs[0].started, max(d.duration_s for d in docs)
    return out


def _stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _epoch(started: str) -> float | None:
    try:
        return float(calendar.timegm(time.strptime(started, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None


def summary_table(doc: ResultsDoc) -> str:
    """A plain-text cross-performer summary, with each failure's class and first problem."""
    counts = doc.counts_by_performer()
    header = f"{'performer':<28} {'SDK':<10} " + " ".join(f"{o:>13}" for o in OUTCOMES)
    lines = [header, "-" * len(header)]
    for spec in sorted(counts):
        sdk = doc.performers.get(spec, {}).get("sdk_version", "?")
        lines.append(f"{spec:<28} {sdk:<10} " + " ".join(f"{counts[spec][o]:>13}" for o in OUTCOMES))
    endpoints = doc.etcd.get("endpoints")
    where = f" at {', '.join(endpoints)}" if endpoints else " (one embedded server per worker)"
    lines.append(f"etcd {doc.etcd.get('version') or '?'}{where}; wall time {doc.duration_s:.1f}s")
    failing = doc.failing()
    if failing:
        lines += ["", "failures:"]
        for t in failing[:40]:
            first = t.problems[0].line() if t.problems else ""
            lines.append(f"  {t.nodeid}  [{t.classification or t.outcome}]" + (f"  {first}"[:160] if first else ""))
        if len(failing) > 40:
            lines.append(f"  ... and {len(failing) - 40} more (see the HTML report)")
    return "\n".join(lines)
