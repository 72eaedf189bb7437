"""`etcdfit gate`: the release check. Fails when NEW is worse than the baseline:
a capability disappeared, a test that passed now fails, or the known-failure list
no longer matches (a listed test passes, or a pattern matches nothing).

The baseline is another SDK version run now (--baseline NAME@OLD) or a stored
file (--baseline-file capabilities/baselines/NAME.json, written by --save-baseline).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EtcdfitError
from .report.model import ResultsDoc, TestRecord
from .suite import run_suite

BASELINE_SCHEMA = "etcdfit.baseline/v1"


@dataclass
class Side:
    """What the gate compares: one performer version's capabilities and test outcomes."""

    label: str
    capabilities: set[str]
    outcomes: dict[str, str]                  # base test id -> outcome
    details: dict[str, str] = field(default_factory=dict)  # base test id -> one-line why
    problems: list[str] = field(default_factory=list)       # run-level problems (e.g. list mismatch)


def side_from_results(doc: ResultsDoc, label: str) -> Side:
    perfs = list(doc.performers.values())
    caps = set(perfs[0]["capabilities"]) if perfs else set()
    side = Side(label, caps, {})
    for t in doc.tests:
        side.outcomes[t.test] = t.outcome
        if t.outcome in ("failed", "error"):
            side.details[t.test] = _why(t)
            if t.classification == "known_failure_passed":
                side.problems.append(f"{t.test} is listed as a known failure but passes with {label}: "
                                     "remove its line from the known-failure list")
    return side


def _why(t: TestRecord) -> str:
    first = t.problems[0].line() if t.problems else ""
    return (t.classification or t.outcome) + (f": {first}" if first else "")


def compare(new: Side, base: Side) -> list[str]:
    """Every reason NEW must not be released, relative to BASE (empty: the gate passes)."""
    reasons = list(new.problems)
    reasons.extend(f"capability {cap} disappeared: {base.label} has it, {new.label} does not"
                   for cap in sorted(base.capabilities - new.capabilities))
    for test, outcome in sorted(base.outcomes.items()):
        now = new.outcomes.get(test)
        if outcome == "passed" and now in ("failed", "error"):
            reasons.append(f"{test} passed with {base.label} and fails with {new.label} ({new.details.get(test, now)})")
    return reasons


def run_side(spec: str, etcd: str, out: Path) -> Side:
    """Run the conformance suite for one performer spec and read its results."""
    print(f"[etcdfit] gate: running the suite for {spec} on etcd {etcd} ...", flush=True)
    run = run_suite([spec], out / re.sub(r"[^A-Za-z0-9_.@-]+", "_", spec), etcd=etcd, jobs=2)
    doc = run.results()
    if doc is None:
        side = Side(spec, set(), {})
        side.problems.append(f"the suite could not run for {spec} (exit {run.exit_code}; log {run.log}); often a "
                             f"known-failure pattern that matches no test:\n{run.output_tail(12)}")
        return side
    perf = next(iter(doc.performers.values()), {})
    return side_from_results(doc, f"{perf.get('name', spec)}@{perf.get('sdk_version', '?')}")


def save_baseline(side: Side, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema": BASELINE_SCHEMA, "label": side.label,
                                "capabilities": sorted(side.capabilities),
                                "outcomes": dict(sorted(side.outcomes.items()))}, indent=1) + "\n")


def load_baseline(path: Path) -> Side:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EtcdfitError(f"cannot read baseline {path}: {exc}") from None
    if doc.get("schema") != BASELINE_SCHEMA:
        raise EtcdfitError(f"{path} is not an etcdfit baseline (schema {doc.get('schema')!r}); "
                           "write one with `etcdfit gate --performer NAME@V --save-baseline PATH`")
    return Side(doc["label"] + " (baseline file)", set(doc["capabilities"]), dict(doc["outcomes"]))


def main(args: argparse.Namespace) -> int:
    out = Path(args.out)
    base: Side | None = None
    if args.baseline_file:  # a bad baseline file is an error before minutes of suite run
        base = load_baseline(Path(args.baseline_file))
    elif not (args.baseline or args.save_baseline):
        raise EtcdfitError("give --baseline NAME@OLD or --baseline-file PATH (or --save-baseline PATH to write one)")
    new = run_side(args.performer, args.etcd, out)
    if args.save_baseline:
        if new.problems:
            print("etcdfit gate: not saving a baseline from a run with problems:\n  " + "\n  ".join(new.problems))
            return 1
        save_baseline(new, Path(args.save_baseline))
        print(f"etcdfit gate: baseline for {new.label} written to {args.save_baseline} "
              f"({len(new.capabilities)} capabilities, {len(new.outcomes)} tests)")
        return 0
    if args.baseline:
        base = run_side(args.baseline, args.etcd, out)
    assert base is not None
    reasons = compare(new, base) + [f"baseline run: {p}" for p in base.problems]
    compared = len(set(base.outcomes) & set(new.outcomes))
    if reasons:
        print(f"etcdfit gate: FAIL for {new.label} against {base.label} ({len(reasons)} reason(s)):")
        for r in reasons:
            print("  - " + r.replace("\n", "\n    "))
        return 1
    print(f"etcdfit gate: PASS for {new.label} against {base.label}: {compared} tests compared, "
          f"no capability lost ({len(new.capabilities)} vs {len(base.capabilities)}), no passing test regressed, "
          "known-failure list matches")
    return 0
