"""`etcdfit gate --perf BASELINE [--perf-current RESULTS]`: fail on a performance regression.

Each (step, SDK) summary of the current results is compared with the same step and SDK (by
performer name; versions may differ) of the baseline: the gate fails when the median throughput
fell by more than --max-throughput-loss (default 10%) or the median p99 rose by more than
--max-p99-rise (default 20%), or when a step the baseline measured did not complete now.
Without --perf-current the baseline file is compared with itself across SDK versions: for each
performer measured at several versions in that run, every later version against the first.

Noise: a summary figure is the median over the run's repeats (`etcdfit perf --repeat N`), so
one slow repeat does not move it; a side measured once is reported with a warning. The benchmark
tool's own change between the two files is printed beside each failure: if the tool lost as much
as the SDK, the machine or server changed, not the SDK.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EtcdfitError
from . import results


@dataclass(frozen=True)
class Pair:
    step: str
    base: dict[str, Any]
    current: dict[str, Any]
    base_tool: dict[str, Any] | None
    current_tool: dict[str, Any] | None


def _name(subject: str) -> str:
    return subject.partition("@")[0]


def _rows(doc: dict[str, Any]) -> dict[str, tuple[list[dict[str, Any]], dict[str, Any] | None]]:
    out = {}
    for step in doc["steps"]:
        rows = step.get("summary") or results.summarize(step)
        tool = next((r for r in rows if r["kind"] == "tool" and r["status"] == "ok"), None)
        out[step["name"]] = ([r for r in rows if r["kind"] == "performer"], tool)
    return out


def pairs_across(base: dict[str, Any], current: dict[str, Any]) -> list[Pair]:
    """Same step, same performer name, in two results files."""
    b, c = _rows(base), _rows(current)
    pairs = []
    for step, (crow, ctool) in c.items():
        if step not in b:
            continue
        brows, btool = b[step]
        for cr in crow:
            br = next((r for r in brows if _name(r["subject"]) == _name(cr["subject"])), None)
            if br is not None:
                pairs.append(Pair(step, br, cr, btool, ctool))
    return pairs


def pairs_within(doc: dict[str, Any]) -> list[Pair]:
    """In one results file: each later version of a performer against its first version."""
    pairs = []
    for step, (rows, tool) in _rows(doc).items():
        first: dict[str, dict[str, Any]] = {}
        for r in rows:
            n = _name(r["subject"])
            if n in first:
                pairs.append(Pair(step, first[n], r, tool, tool))
            else:
                first[n] = r
    return pairs


def compare(pairs: list[Pair], max_loss: float, max_rise: float) -> tuple[list[str], list[str], int]:
    """(reasons to fail, warnings, pairs compared)."""
    reasons: list[str] = []
    warnings: list[str] = []
    compared = 0
    for p in pairs:
        b, c = p.base, p.current
        what = f"{p.step}: {c['subject']} against {b['subject']}"
        if b["status"] != "ok":
            continue
        if c["status"] != "ok":
            reasons.append(f"{what}: the baseline measured it, now it is {c['status']} ({c.get('reason', '')})")
            continue
        compared += 1
        if min(b["repeats"], c["repeats"]) < 3:
            warnings.append(f"{what}: medians of {b['repeats']} and {c['repeats']} repeat(s); use --repeat 3 "
                            "or more for a gate that ignores one noisy run")
        tool = _tool_change(p)
        loss = 1 - c["throughput"] / b["throughput"] if b["throughput"] else 0.0
        if loss > max_loss:
            reasons.append(f"{what}: throughput {c['throughput']:.0f} ops/s vs {b['throughput']:.0f} "
                           f"({loss:.0%} loss, limit {max_loss:.0%}){tool}")
        rise = c["p99"] / b["p99"] - 1 if b.get("p99") else 0.0
        if rise > max_rise:
            reasons.append(f"{what}: p99 {c['p99'] / 1000:.2f} ms vs {b['p99'] / 1000:.2f} ms "
                           f"({rise:.0%} rise, limit {max_rise:.0%}){tool}")
    return reasons, warnings, compared


def _tool_change(p: Pair) -> str:
    if p.base_tool is None or p.current_tool is None or p.base_tool is p.current_tool:
        return ""
    change = p.current_tool["throughput"] / p.base_tool["throughput"] - 1
    return f"; the benchmark tool changed {change:+.0%} between the two runs"


def main(args: argparse.Namespace) -> int:
    base = results.load(Path(args.perf))
    if args.perf_current:
        current = results.load(Path(args.perf_current))
        pairs = pairs_across(base, current)
        label = f"{args.perf_current} against {args.perf}"
    else:
        pairs = pairs_within(base)
        label = f"SDK versions within {args.perf}"
    if not pairs:
        raise EtcdfitError(f"perf gate: nothing to compare for {label}: no step and performer in common"
                           + ("" if args.perf_current else " (one results file needs a performer at two versions; "
                              "or give --perf-current RESULTS)"))
    reasons, warnings, compared = compare(pairs, args.max_throughput_loss, args.max_p99_rise)
    for w in warnings:
        print(f"etcdfit gate --perf: note: {w}")
    if reasons:
        print(f"etcdfit gate --perf: FAIL for {label} ({len(reasons)} reason(s)):")
        for r in reasons:
            print("  - " + r)
        return 1
    print(f"etcdfit gate --perf: PASS for {label}: {compared} step x SDK figures compared, no throughput loss "
          f"over {args.max_throughput_loss:.0%}, no p99 rise over {args.max_p99_rise:.0%}")
    return 0
