"""`etcdfit perf`: run a profile, print the summary table, write results.json and index.html."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from . import html, profile
from .runner import Runner

DEFAULT_PERFORMERS = ["go-clientv3"]


def main(args: argparse.Namespace) -> int:
    prof = profile.load(args.profile)
    if getattr(args, "max_duration", 0):
        prof = profile.cap_duration(prof, args.max_duration)
    out = Path(args.out)
    runner = Runner(prof, args.performer or DEFAULT_PERFORMERS, args.etcd, out, repeat=args.repeat,
                    tool=not args.no_benchmark)
    doc = runner.run()
    print("\n== etcdfit perf summary ==")
    print(summary_table(doc))
    page = html.render(doc, out)
    print(f"\nHTML report: {page}\nJSON results: {out.resolve() / 'results.json'}\n"
          f"wall time: {doc['wall_s']:.1f}s")
    failed = [(s["name"], r["subject"]) for s in doc["steps"] for r in s["summary"] if r["status"] == "failed"]
    for step, subject in failed:
        print(f"etcdfit perf: {subject} failed step {step} (see the report)")
    return 1 if failed else 0


def summary_table(doc: dict[str, Any]) -> str:
    rows = [("step", "subject", "ops/s", "ratio", "p50 ms", "p99 ms", "max ms", "errors", "note")]
    for step in doc["steps"]:
        for r in step["summary"]:
            if r["status"] != "ok":
                rows.append((step["name"], r["subject"], "-", "-", "-", "-", "-", "-",
                             f"{r['status']}: {r.get('reason', '')}"[:90]))
                continue
            ratio = f"{r['ratio_to_tool']:.2f}" if "ratio_to_tool" in r else "-"
            rows.append((step["name"], r["subject"], f"{r['throughput']:.0f}", ratio, f"{r['p50'] / 1000:.2f}",
                         f"{r['p99'] / 1000:.2f}", f"{r['max'] / 1000:.1f}", str(r.get("errors", 0)),
                         f"median of {r['repeats']}" if r["repeats"] > 1 else ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
                     for row in rows).rstrip()
