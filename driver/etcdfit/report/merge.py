"""Merging several results files (e.g. matrix shards) into one document.

Cells and tests are concatenated, performers united (first one wins), the start is the
earliest start and the wall time spans from it to the latest end. Pure: inputs are not
modified.
"""

from __future__ import annotations

import calendar
import time
from typing import Iterable

from .results import SCHEMA


def _epoch(started: str) -> float | None:
    try:
        return float(calendar.timegm(time.strptime(started, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None


def merge(docs: Iterable[dict]) -> dict:
    docs = list(docs)
    if not docs:
        raise ValueError("merge: no results documents given")
    if len(docs) == 1:
        return docs[0]
    performers: dict[str, dict] = {}
    cells: list[dict] = []
    tests: list[dict] = []
    endpoints: list[str] = []
    versions: list[str] = []
    spans: list[tuple[float, float]] = []
    for d in docs:
        for spec, info in (d.get("performers") or {}).items():
            performers.setdefault(spec, info)
        cells += d.get("cells") or []
        tests += d.get("tests") or []
        etcd = d.get("etcd") or {}
        endpoints += [e for e in etcd.get("endpoints") or [] if e not in endpoints]
        if etcd.get("version") and etcd["version"] not in versions:
            versions.append(etcd["version"])
        start = _epoch(d.get("started", ""))
        if start is not None:
            spans.append((start, start + float(d.get("duration_s") or 0)))
    if spans:
        first = min(s for s, _ in spans)
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(first))
        duration = round(max(e for _, e in spans) - first, 2)
    else:
        started = docs[0].get("started", "")
        duration = round(max(float(d.get("duration_s") or 0) for d in docs), 2)
    return {
        "schema": SCHEMA,
        "started": started,
        "duration_s": duration,
        "etcd": {"endpoints": endpoints, "version": ", ".join(versions)},
        "performers": performers,
        "cells": cells,
        "tests": tests,
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m etcdfit.report.merge RESULTS... > merged.json`: the merged document on stdout."""
    import argparse
    import json
    import sys
    from pathlib import Path

    from .results import load

    ap = argparse.ArgumentParser(prog="python -m etcdfit.report.merge", description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", metavar="RESULTS")
    args = ap.parse_args(argv)
    json.dump(merge(load(Path(p)) for p in args.results), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
