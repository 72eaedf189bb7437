"""`etcdfit matrix`: run cells (performer x SDK version x etcd server x topology x security) from a YAML file.

ci/matrix.yaml (strict: an unknown field, performer or server is an error naming file and line):

  version: 1                       # the file format; must be 1
  jobs: 2                          # optional: cells run at once (default 2; --jobs overrides)
  pytest_args: []                  # optional: extra pytest arguments for every cell
  groups:                          # non-empty; cells = union of each group's cross product
    - performers: [NAME@VERSION, ...]   # performer specs (see `etcdfit performer list`)
      servers: ["3.5.1", "3.6"]         # etcd server versions (see `etcdfit server list`)
      topology: single                  # optional: single (default) or cluster3 (a 3-member
                                        # cluster of that server; the whole suite, tests/conformance/cluster too)
      security: plain                   # optional: plain (default), tls, tls+auth, ... as --security spells
                                        # it (docs/security.md): the cell's server runs with it
  exclude:                         # optional: cells to leave out (every topology, unless it names one)
    - {performer: NAME@VERSION, server: "3.4", topology: cluster3}

Each cell runs the conformance suite in its own pytest process and writes
OUT/cells/<cell>/{junit.xml,results.json,pytest.log}; OUT/results.json merges them
(schema: docs/results-schema.md).
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import yamlio
from .errors import ConfigError, EtcdfitError
from .report.model import OUTCOMES, ResultsDoc, cell_id
from .report.model import Cell as ResultCell
from .suite import run_suite

#: The topologies a matrix cell can run (pytest's --topology).
TOPOLOGIES = ("single", "cluster3")


@dataclass(frozen=True)
class Cell:
    performer: str  # NAME@VERSION, version always explicit
    server: str     # catalog key or alias as written
    topology: str = "single"
    security: str = "plain"  # as --security spells it (Security.label)

    @property
    def id(self) -> str:
        name, _, version = self.performer.partition("@")
        return cell_id(name, version, self.server, self.topology, self.security)

    @property
    def slug(self) -> str:
        shape = "" if self.topology == "single" else f"__{self.topology}"
        shape += "" if self.security == "plain" else f"__{self.security.replace('+', '-')}"
        return re.sub(r"[^A-Za-z0-9_.@-]+", "_", f"{self.performer}__etcd-{self.server}{shape}")


@dataclass
class Matrix:
    path: Path
    cells: list[Cell]
    jobs: int
    pytest_args: list[str]


def load(path: Path) -> Matrix:
    from .performer import manifest
    from .servers import catalog

    doc = yamlio.load(path)
    d = yamlio.fields(doc, {"version": True, "jobs": False, "pytest_args": False, "groups": True, "exclude": False},
                      "the matrix", path, 1)
    if d["version"] != 1:
        raise ConfigError(f"version {d['version']!r} is not supported; this etcdfit reads version 1", path,
                          d.key_lines["version"])
    jobs = d.get("jobs", 2)
    if not isinstance(jobs, int) or jobs < 1:
        raise ConfigError("jobs must be a whole number >= 1", path, d.key_lines.get("jobs"))
    args = d.get("pytest_args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ConfigError("pytest_args must be a list of strings", path, d.key_lines.get("pytest_args"))
    groups = d["groups"]
    if not isinstance(groups, list) or not groups:
        raise ConfigError("groups must be a non-empty list", path, d.key_lines["groups"])
    cells: list[Cell] = []
    for entry in groups:
        g = yamlio.fields(entry, {"performers": True, "servers": True, "topology": False, "security": False},
                          "a group", path, d.key_lines["groups"])
        perfs = _strings(g, "performers", path)
        servers = _strings(g, "servers", path)
        topology = g.get("topology", "single")
        if topology not in TOPOLOGIES:
            raise ConfigError(f"topology {topology!r}: expected one of {', '.join(TOPOLOGIES)}",
                              path, g.key_lines["topology"])
        security = _security(g, path)
        resolved = []
        for p in perfs:
            try:
                name, version = manifest.parse_spec(p)
                resolved.append(f"{name}@{manifest.load(name).resolve_version(version)}")
            except EtcdfitError as exc:
                raise ConfigError(f"performer {p!r}: {exc}", path, g.key_lines["performers"]) from None
        for s in servers:
            try:
                catalog.lookup(s)
            except EtcdfitError as exc:
                raise ConfigError(f"server {s!r}: {exc}", path, g.key_lines["servers"]) from None
        cells += [Cell(p, s, topology, security) for p in resolved for s in servers]
    excluded = set()
    for entry in d.get("exclude", []) or []:
        line = getattr(entry, "line", None) or d.key_lines["exclude"]
        e = yamlio.fields(entry, {"performer": True, "server": True, "topology": False}, "an exclude entry", path,
                          line)
        shape = str(e.get("topology", "*"))
        if shape not in (*TOPOLOGIES, "*"):
            raise ConfigError(f"exclude: topology {shape!r}: expected one of {', '.join(TOPOLOGIES)}", path, line)
        try:
            name, version = manifest.parse_spec(str(e["performer"]))
            key = (f"{name}@{manifest.load(name).resolve_version(version)}", str(e["server"]), shape)
        except EtcdfitError as exc:
            raise ConfigError(f"exclude: performer {e['performer']!r}: {exc}", path, line) from None
        if not any(_excludes(key, c) for c in cells):
            raise ConfigError(f"exclude {{performer: {e['performer']}, server: {e['server']}}} matches no cell "
                              "of the groups (a typo in the version, server or topology?)", path, line)
        excluded.add(key)
    unique = list(dict.fromkeys(c for c in cells if not any(_excludes(k, c) for k in excluded)))
    if not unique:
        raise ConfigError("the matrix has no cells (every cell is excluded?)", path, d.line)
    return Matrix(path, unique, jobs, args)


def _excludes(key: tuple[str, str, str], cell: Cell) -> bool:
    """Whether an exclude entry's (performer, server, topology or '*') names the cell."""
    return (cell.performer, cell.server) == key[:2] and key[2] in ("*", cell.topology)


def _security(g: yamlio.LDict, path: Path) -> str:
    """A group's security (default plain), checked and spelled as Security.label spells it."""
    from .servers.security import Security

    if "security" not in g:
        return "plain"
    try:
        return Security.parse(str(g["security"])).label
    except EtcdfitError as exc:
        raise ConfigError(f"security {g['security']!r}: {exc}", path, g.key_lines["security"]) from None


def _strings(g: yamlio.LDict, key: str, path: Path) -> list[str]:
    v = g[key]
    if not isinstance(v, list) or not v:
        raise ConfigError(f"{key} must be a non-empty list", path, g.key_lines[key])
    return [str(x) for x in v]


def shard(cells: list[Cell], spec: str | None) -> list[Cell]:
    """'i/n' (1-based): every n-th cell starting at i, in the file's order."""
    if not spec:
        return cells
    m = re.fullmatch(r"(\d+)/(\d+)", spec)
    if not m or not (1 <= int(m.group(1)) <= int(m.group(2))):
        raise ConfigError(f"--shard {spec!r}: expected i/n with 1 <= i <= n, e.g. 2/4")
    i, n = int(m.group(1)), int(m.group(2))
    return cells[i - 1::n]


# ------------------------------------------------------------------ running


class Progress:
    """One line per finished cell, and a heartbeat naming running cells every 20 s."""

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.running: dict[str, float] = {}  # cell id -> monotonic start
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.started = time.monotonic()
        threading.Thread(target=self._beat, daemon=True).start()

    def start(self, cell: Cell) -> None:
        with self.lock:
            self.running[cell.id] = time.monotonic()
            print(f"[{self.done:>3}/{self.total}] start  {cell.id}", flush=True)

    def finish(self, cell: Cell, status: str, counts: dict[str, int], seconds: float) -> None:
        with self.lock:
            self.running.pop(cell.id, None)
            self.done += 1
            text = ", ".join(f"{n} {o}" for o, n in counts.items() if n) or "no tests"
            print(f"[{self.done:>3}/{self.total}] {status:<5}  {cell.id}: {text} ({seconds:.1f}s)", flush=True)

    def _beat(self) -> None:
        while not self.stop.wait(20):
            with self.lock:
                if self.running:
                    now = time.monotonic()
                    names = ", ".join(f"{c} ({now - t:.0f}s)" for c, t in self.running.items())
                    print(f"          running: {names}; {now - self.started:.0f}s elapsed", flush=True)


def prebuild(cells: list[Cell]) -> None:
    """Build every performer and server the cells need, once, before cells run in parallel."""
    from .performer import build, manifest
    from .servers import catalog

    for perf in dict.fromkeys(c.performer for c in cells):
        name, version = manifest.parse_spec(perf)
        try:
            build.build(manifest.load(name), version or "")
        except EtcdfitError as exc:
            print(f"[etcdfit] {perf}: build failed; its cells will fail: {str(exc).splitlines()[0]}", flush=True)
    for server in dict.fromkeys(c.server for c in cells):
        try:
            catalog.resolve(server)
        except EtcdfitError as exc:
            print(f"[etcdfit] etcd {server}: not available; its cells will fail: {exc}", flush=True)


def run_cell(cell: Cell, out: Path, pytest_args: list[str]) -> dict[str, Any]:
    started = time.monotonic()
    extra = [*pytest_args, f"--security={cell.security}"] if cell.security != "plain" else pytest_args
    run = run_suite([cell.performer], out / "cells" / cell.slug, etcd=cell.server, topology=cell.topology, jobs=0,
                    no_build=True, extra=extra)
    return {"cell": cell, "run": run, "doc": run.results(), "duration_s": round(time.monotonic() - started, 2)}


def run(matrix: Matrix, out: Path, *, jobs: int | None = None, shard_spec: str | None = None) -> int:
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs {jobs}: expected a whole number >= 1 (cells run at once)")
    cells = shard(matrix.cells, shard_spec)
    out.mkdir(parents=True, exist_ok=True)
    jobs = jobs or matrix.jobs
    print(f"[etcdfit] matrix {matrix.path}: {len(cells)} of {len(matrix.cells)} cells"
          + (f" (shard {shard_spec})" if shard_spec else "") + f", {jobs} at once -> {out}", flush=True)
    started = time.time()
    prebuild(cells)
    progress = Progress(len(cells))

    def one(cell: Cell) -> dict[str, Any]:
        progress.start(cell)
        res = run_cell(cell, out, matrix.pytest_args)
        counts = dict.fromkeys(OUTCOMES, 0)
        for t in (res["doc"].tests if res["doc"] else []):
            counts[t.outcome] += 1
        code = res["run"].exit_code
        status = "PASS" if code == 0 else ("FAIL" if res["doc"] else "ERROR")
        progress.finish(cell, status, counts, res["duration_s"])
        if res["doc"] is None:  # e.g. a bad pytest_args: show why here, not only in the cell's log
            print(f"          {cell.id} wrote no results (pytest exit {code}); last lines of "
                  f"{res['run'].log}:\n" + "\n".join("            " + ln
                                                      for ln in res["run"].output_tail(8).splitlines()), flush=True)
        return res

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, cells))
    progress.stop.set()
    doc = merge_cells(results, out, started)
    doc.write(out / "results.json")
    bad = [r for r in results if r["run"].exit_code != 0]
    totals = {o: sum(c.counts.get(o, 0) for c in doc.cells) for o in OUTCOMES}
    print(f"[etcdfit] matrix done in {doc.duration_s:.0f}s: {len(results)} cells, "
          + ", ".join(f"{n} {o}" for o, n in totals.items()) + f"; {len(bad)} cell(s) not clean", flush=True)
    print(f"[etcdfit] results: {out / 'results.json'}  (HTML: etcdfit report {out / 'results.json'} --out REPORTDIR)")
    return 1 if bad else 0


def merge_cells(results: list[dict[str, Any]], out: Path, started: float) -> ResultsDoc:
    doc = ResultsDoc(started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                     duration_s=round(time.time() - started, 2))
    for r in results:
        cell: Cell = r["cell"]
        run = r["run"]
        extra = {"exit_code": run.exit_code, "duration_s": r["duration_s"],
                 "junit": str(run.junit_path.relative_to(out)), "requested": cell.id}
        cdoc: ResultsDoc | None = r["doc"]
        if cdoc is None or not cdoc.cells:
            _, _, version = cell.performer.partition("@")
            doc.cells.append(ResultCell(cell.id, cell.performer, version, cell.server, cell.topology,
                                        error=run.output_tail(15) or "no output", security=cell.security, **extra))
            continue
        for c in cdoc.cells:
            c.topology = cell.topology
            c.security = cell.security
            for k, v in extra.items():
                setattr(c, k, v)
            doc.cells.append(c)
        for info in cdoc.performers.values():
            doc.performers.setdefault(f"{info['name']}@{info['sdk_version']}", info)
        doc.tests += cdoc.tests
    return doc
