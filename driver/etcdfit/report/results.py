"""The JSON results file (schema etcdfit.results/v1, documented in docs/results-schema.md)."""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from pathlib import Path

SCHEMA = "etcdfit.results/v1"
OUTCOMES = ("passed", "failed", "error", "known_failure", "flaky", "skipped")


def write_results(path: Path, records: list[dict], *, started: float, etcd: dict) -> None:
    performers: dict[str, dict] = {}
    for r in records:
        p = r.get("performer")
        if p:
            performers.setdefault(p["spec"], p)
    cells: dict[str, dict] = {}
    for r in records:
        p = r.get("performer")
        if p and r.get("cell"):
            c = cells.setdefault(r["cell"], {"id": r["cell"], "performer": p["spec"], "sdk_version": p["sdk_version"],
                                             "server": p.get("etcd_version", ""), "topology": "single",
                                             "counts": {o: 0 for o in OUTCOMES}})
            c["counts"][r["outcome"]] += 1
    doc = {
        "schema": SCHEMA,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_s": round(time.time() - started, 2),
        "etcd": etcd,
        "performers": performers,
        "cells": sorted(cells.values(), key=lambda c: c["id"]),
        "tests": [{k: v for k, v in r.items() if k != "performer"} | {"performer": (r["performer"] or {}).get("spec")}
                  for r in records],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, sort_keys=False))


def load(path: Path) -> dict:
    doc = json.loads(Path(path).read_text())
    if doc.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not an etcdfit results file (schema {doc.get('schema')!r}, want {SCHEMA})")
    return doc


def counts_by_performer(doc: dict) -> dict[str, Counter]:
    out: dict[str, Counter] = defaultdict(Counter)
    for t in doc["tests"]:
        out[t["performer"] or "(none)"][t["outcome"]] += 1
    return dict(out)


def summary_table(doc: dict) -> str:
    """A plain-text cross-performer summary."""
    counts = counts_by_performer(doc)
    perf = doc.get("performers", {})
    header = f"{'performer':<28} {'SDK':<10} " + " ".join(f"{o:>13}" for o in OUTCOMES)
    lines = [header, "-" * len(header)]
    for spec in sorted(counts):
        sdk = perf.get(spec, {}).get("sdk_version", "?")
        lines.append(f"{spec:<28} {sdk:<10} " + " ".join(f"{counts[spec][o]:>13}" for o in OUTCOMES))
    etcd = doc.get("etcd", {})
    where = f" at {', '.join(etcd['endpoints'])}" if etcd.get("endpoints") else " (one embedded server per worker)"
    lines.append(f"etcd {etcd.get('version') or '?'}{where}; wall time {doc.get('duration_s', 0):.1f}s")
    failing = [t for t in doc["tests"] if t["outcome"] in ("failed", "error")]
    if failing:
        lines.append("")
        lines.append("failures:")
        for t in failing[:40]:
            lines.append(f"  {t['nodeid']}  [{t.get('classification') or t['outcome']}]")
    return "\n".join(lines)
