"""The `etcdfit` command: run, caps, performer build|list, report."""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import EtcdfitError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="etcdfit", description="etcd v3 SDK conformance harness")
    sub = parser.add_subparsers(dest="verb", required=True)

    run = sub.add_parser("run", help="run the conformance suite, print a summary, write the HTML report")
    run.add_argument("--performer", action="append", default=[], required=True, metavar="NAME[@VERSION]")
    run.add_argument("--out", default="reports/latest", help="folder for results.json, junit.xml, index.html")
    run.add_argument("-n", "--jobs", type=int, default=2, help="pytest-xdist workers (0: none)")
    run.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")

    capsp = sub.add_parser("caps", help="capability x performer table")
    capsp.add_argument("performers", nargs="*", metavar="NAME[@VERSION]", help="default: every performer")
    capsp.add_argument("--diff", action="store_true", help="show only the capabilities the performers disagree on")

    perf = sub.add_parser("performer", help="build or list performers")
    psub = perf.add_subparsers(dest="action", required=True)
    b = psub.add_parser("build", help="build NAME[@VERSION] into .cache/performers")
    b.add_argument("specs", nargs="+", metavar="NAME[@VERSION]")
    b.add_argument("--jobs", type=int, default=2)
    b.add_argument("--force", action="store_true")
    psub.add_parser("list", help="names, languages, SDK packages, versions, build state")
    chk = psub.add_parser("check", help="protocol self-check of NAME[@VERSION] (for performer authors)")
    chk.add_argument("specs", nargs="+", metavar="NAME[@VERSION]")
    chk.add_argument("--performers-root", default=None, help="folder holding <name>/performer.yaml")

    srv = sub.add_parser("server", help="etcd server versions: list, build, install, path", add_help=False)
    srv.add_argument("rest", nargs=argparse.REMAINDER)

    mx = sub.add_parser("matrix", help="run the cells of a matrix file (ci/matrix.yaml)")
    mx.add_argument("--config", default="ci/matrix.yaml")
    mx.add_argument("--out", required=True, help="folder for cells/*/junit.xml and results.json")
    mx.add_argument("--shard", default=None, metavar="i/n", help="run only shard i of n (1-based)")
    mx.add_argument("--jobs", type=int, default=None, help="cells at once (default: the file's jobs)")

    gt = sub.add_parser("gate", help="release check: NEW against a baseline version or a stored baseline")
    gt.add_argument("--performer", default=None, metavar="NAME@NEW",
                    help="the SDK version to check (its suite is run on the --etcd server)")
    gt.add_argument("--baseline", default=None, metavar="NAME@OLD", help="run the suite for this version too")
    gt.add_argument("--baseline-file", default=None, metavar="PATH", help="a stored baseline (capabilities/baselines/)")
    gt.add_argument("--save-baseline", default=None, metavar="PATH", help="write NEW's baseline to PATH instead")
    gt.add_argument("--etcd", default="embedded", help="etcd server for both runs (default: embedded)")
    gt.add_argument("--out", default=".etcdfit/gate", help="folder for each side's results and pytest log")
    gt.add_argument("--perf", default=None, metavar="BASELINE.json",
                    help="perf gate: etcdfit perf results to compare against (see docs/perf.md)")
    gt.add_argument("--perf-current", default=None, metavar="RESULTS.json",
                    help="perf gate: the results to check (default: within --perf, each SDK's later version "
                         "against its first)")
    gt.add_argument("--max-throughput-loss", type=float, default=0.10, help="perf gate: fail above (default 0.10)")
    gt.add_argument("--max-p99-rise", type=float, default=0.20, help="perf gate: fail above (default 0.20)")

    pf = sub.add_parser("perf", help="load and performance: a workload profile per SDK beside etcd's benchmark tool")
    pf.add_argument("--profile", required=True, metavar="NAME|PATH", help="smoke, standard, ramp, soak or a YAML file")
    pf.add_argument("--performer", action="append", default=[], metavar="NAME[@VERSION]",
                    help="performer to measure (repeatable; default: go-clientv3)")
    pf.add_argument("--etcd", default="embedded", metavar="VERSION|PATH",
                    help="etcd server to start (default: embedded; see `etcdfit server list`)")
    pf.add_argument("--out", default="reports/perf", help="folder for results.json, index.html and logs/")
    pf.add_argument("--repeat", type=int, default=1, help="run every step N times; summaries are medians")
    pf.add_argument("--no-benchmark", action="store_true", help="do not run etcd's benchmark tool")
    pf.add_argument("--max-duration", type=float, default=0, metavar="SECONDS",
                    help="dry run: cap every step's duration_s (e.g. the soak profile for a minute)")

    rb = sub.add_parser("robustness", help="concurrent multi-SDK traffic, checked for linearizability and the "
                        "watch guarantees (docs/concurrency.md)")
    rb.add_argument("--performer", action="append", default=[], required=True, metavar="NAME[@VERSION]")
    rb.add_argument("--duration", default="60s", help="traffic time (60s, 2m, 500ms; default 60s)")
    rb.add_argument("--clients", type=int, default=2, help="SDK clients per performer (default 2)")
    rb.add_argument("--keys", type=int, default=6, help="keys the traffic shares (default 6)")
    rb.add_argument("--topology", default="single", choices=["single", "cluster3"])
    rb.add_argument("--faults", action="store_true", help="inject member faults (cluster3 only)")
    rb.add_argument("--etcd", default="embedded", metavar="VERSION|PATH", help="etcd server (default: embedded)")
    rb.add_argument("--seed", type=int, default=None, help="traffic seed (default: random, printed)")
    rb.add_argument("--out", default="reports/robustness", help="folder for result.json, history.json, logs/")
    rb.add_argument("--plant-stale-read", action="store_true",
                    help="test hook: rewrite one recorded read to a stale value before the check (exits 1)")

    rep = sub.add_parser("report", help="write the HTML report for one or more results files (merged)")
    rep.add_argument("results", nargs="+", metavar="RESULTS")
    rep.add_argument("--out", required=True)
    rep.add_argument("--previous", default=None, metavar="PREV.json", help="results file to diff against")

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["server"]:  # etcdfit.servers.catalog owns its sub-commands
        from .servers import catalog

        return catalog.main(argv[1:])
    args = parser.parse_args(argv)
    try:
        return {"run": cmd_run, "caps": cmd_caps, "performer": cmd_performer, "report": cmd_report,
                "matrix": cmd_matrix, "gate": cmd_gate, "perf": cmd_perf,
                "robustness": cmd_robustness}[args.verb](args)
    except EtcdfitError as exc:
        print(f"etcdfit: error: {exc}", file=sys.stderr)
        return 2


def cmd_run(args: argparse.Namespace) -> int:
    from .report import html
    from .report.model import summary_table
    from .suite import run_suite

    if args.jobs < 0:
        raise EtcdfitError(f"--jobs {args.jobs}: expected 0 (no xdist) or a positive number of workers")
    run = run_suite(args.performer, Path(args.out), jobs=args.jobs, extra=args.pytest_args, capture=False, echo=True)
    doc = run.results()
    if doc is None:
        print("etcdfit: the run wrote no results (see pytest's output above)", file=sys.stderr)
        return run.exit_code or 1
    print("\n== etcdfit summary ==")
    print(summary_table(doc))
    page = html.render(doc, run.out)
    print(f"\nHTML report: {page}\nJSON results: {run.results_path}\nJUnit XML: {run.junit_path}")
    return run.exit_code


def cmd_gate(args: argparse.Namespace) -> int:
    if args.perf:
        from .perf import gate as perf_gate

        return perf_gate.main(args)
    if not args.performer:
        raise EtcdfitError("give --performer NAME@NEW (the conformance gate) or --perf BASELINE.json (the perf gate)")
    from . import gate

    return gate.main(args)


def cmd_perf(args: argparse.Namespace) -> int:
    from .perf.cli import main as perf_main

    return perf_main(args)


def cmd_robustness(args: argparse.Namespace) -> int:
    from .robustness import main as robustness_main

    return robustness_main(args)


def cmd_matrix(args: argparse.Namespace) -> int:
    from . import matrix

    m = matrix.load(Path(args.config))
    return matrix.run(m, Path(args.out).resolve(), jobs=args.jobs, shard_spec=args.shard)


def cmd_report(args: argparse.Namespace) -> int:
    from .report import html
    from .report.model import ResultsDoc

    docs = [ResultsDoc.load(Path(p)) for p in args.results]
    prev = ResultsDoc.load(Path(args.previous)) if args.previous else None
    page = html.render(docs, Path(args.out), previous=prev)
    print(f"HTML report: {page}")
    return 0


def cmd_performer(args: argparse.Namespace) -> int:
    from .performer import build, manifest

    if args.action == "check":
        from .performer.check import check

        root = Path(args.performers_root).resolve() if args.performers_root else None
        failed = 0
        for spec in args.specs:
            name, version = manifest.parse_spec(spec)
            report = check(name, version, root)
            print(f"etcdfit performer check {spec}:\n{report.render()}")
            failed += report.failed
        return 1 if failed else 0

    if args.action == "list":
        rows = [("name", "language", "sdk package", "versions (default*, built+)")]
        for name in manifest.available():
            m = manifest.load(name)
            vs = " ".join(v + ("*" if v == m.default_version else "") + ("+" if build.is_built(m, v) else "")
                          for v in m.versions)
            rows.append((m.name, m.language, m.sdk_package, vs))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            print("  ".join([*(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)), row[3]]))
        return 0

    jobs = []
    for spec in args.specs:
        name, version = manifest.parse_spec(spec)
        m = manifest.load(name)
        jobs.append((m, m.resolve_version(version)))

    def one(job: tuple[manifest.Manifest, str]) -> Path:
        m, v = job
        return build.build(m, v, force=args.force)

    failed = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for (m, v), fut in zip(jobs, [pool.submit(one, j) for j in jobs], strict=True):
            try:
                out = fut.result()
                print(f"{m.name}@{v}: ready at {out}")
            except EtcdfitError as exc:
                failed += 1
                print(f"{m.name}@{v}: FAILED: {exc}", file=sys.stderr)
    return 1 if failed else 0


def cmd_caps(args: argparse.Namespace) -> int:
    from .capabilities import load_catalog
    from .performer import build, manifest
    from .performer.client import PerformerClient

    catalog = load_catalog()
    specs = args.performers or manifest.available()
    columns: list[tuple[str, frozenset[str]]] = []
    with tempfile.TemporaryDirectory(prefix="etcdfit-caps-") as logs:
        for spec in specs:
            name, version = manifest.parse_spec(spec)
            m = manifest.load(name)
            v = m.resolve_version(version)
            out = build.build(m, v)
            client = PerformerClient.launch(m, v, out, Path(logs))
            try:
                ident = client.identity
                assert ident is not None
                columns.append((ident.label, ident.capabilities))
            finally:
                client.close()
    rows = [cid for cid in catalog.meanings
            if not args.diff or len({cid in have for _, have in columns}) > 1]
    width = max(len(c) for c in catalog.meanings) + 2
    print(f"{'capability':<{width}}" + "".join(f"{label:>{max(14, len(label) + 2)}}" for label, _ in columns))
    if args.diff and not rows:
        print("(no differences: every performer claims the same capabilities)")
    for cid in rows:
        print(f"{cid:<{width}}" + "".join(
            f"{('yes' if cid in have else '-'):>{max(14, len(label) + 2)}}" for label, have in columns))
    print(f"{'total':<{width}}" + "".join(f"{len(have):>{max(14, len(label) + 2)}}" for label, have in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
