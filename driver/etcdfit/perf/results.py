"""The perf results document (schema etcdfit.perf/v1, docs/perf.md) and what is derived from
it: per step and subject, the median over repeats of throughput and latency percentiles, and
each SDK's ratio to etcd's benchmark tool.

Medians are taken over the repeats that completed (status ok); a subject that was skipped or
failed in every repeat has that status and the first reason in its summary.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from ..errors import EtcdfitError

SCHEMA = "etcdfit.perf/v1"
#: Summary figures that are medians of the per-repeat figures.
MEDIAN_FIELDS = ("throughput", "p50", "p90", "p99", "p999", "max", "mean", "connect_us_median",
                 "connect_us_max", "cpu_us_per_op", "rss_bytes_end", "rss_growth_per_hour")


class PerfResultsError(EtcdfitError):
    """A file that is not a readable etcdfit perf results document."""


def load(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PerfResultsError(f"cannot read perf results {path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        got = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise PerfResultsError(f"{path} is not etcdfit perf results (schema {got!r}, expected {SCHEMA!r}); "
                               "write one with `etcdfit perf --profile NAME --out DIR`")
    return doc


def save(doc: dict[str, Any], path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(path)


def rss_growth_per_hour(timeline: list[dict[str, Any]]) -> float | None:
    """Least-squares slope of RSS over time, bytes per hour (None with fewer than 3 points)."""
    pts = [(p["t_s"], p["rss_bytes"]) for p in timeline if p.get("rss_bytes")]
    if len(pts) < 3:
        return None
    mt = statistics.fmean(t for t, _ in pts)
    mr = statistics.fmean(r for _, r in pts)
    var = sum((t - mt) ** 2 for t, _ in pts)
    if var == 0:
        return None
    return float(sum((t - mt) * (r - mr) for t, r in pts) / var * 3600)


def summarize(step: dict[str, Any]) -> list[dict[str, Any]]:
    """One summary row per subject of a step, in the order subjects first appear."""
    order: list[str] = []
    for r in sorted(step["runs"], key=lambda r: r["kind"] != "tool"):  # the tool first, then performers
        if r["subject"] not in order:
            order.append(r["subject"])
    rows = []
    tool_tp: float | None = None
    for subject in order:
        runs = [r for r in step["runs"] if r["subject"] == subject]
        ok = [r for r in runs if r["status"] == "ok"]
        row: dict[str, Any] = {"subject": subject, "kind": runs[0]["kind"], "repeats": len(ok)}
        if not ok:
            row["status"] = runs[0]["status"]
            row["reason"] = runs[0].get("reason", "")
            rows.append(row)
            continue
        row["status"] = "ok"
        for f in MEDIAN_FIELDS:
            vals = [v for v in (_figure(r, f) for r in ok) if v is not None]
            if vals:
                row[f] = statistics.median(vals)
        row["errors"] = sum(sum(r.get("errors", {}).values()) for r in ok)
        if len(ok) > 1 and row.get("throughput"):
            tps = [r["throughput"] for r in ok]
            row["throughput_spread"] = (max(tps) - min(tps)) / row["throughput"]
        if row["kind"] == "tool" and tool_tp is None:
            tool_tp = row.get("throughput")
        rows.append(row)
    for row in rows:
        if row["kind"] == "performer" and row["status"] == "ok" and tool_tp:
            row["ratio_to_tool"] = row["throughput"] / tool_tp
    return rows


def _figure(run: dict[str, Any], name: str) -> float | None:
    if name in run.get("latency_us", {}):
        return float(run["latency_us"][name])
    v = run.get(name)
    return float(v) if isinstance(v, (int, float)) else None
