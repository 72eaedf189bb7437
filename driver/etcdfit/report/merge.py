"""`python -m etcdfit.report.merge RESULTS... > merged.json`: several results files (e.g. matrix
shards) as one document on stdout (see etcdfit.report.model.merge)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import EtcdfitError
from .model import ResultsDoc, merge


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etcdfit.report.merge", description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", metavar="RESULTS")
    args = ap.parse_args(argv)
    try:
        doc = merge(ResultsDoc.load(Path(p)) for p in args.results)
    except EtcdfitError as exc:
        print(f"etcdfit merge: error: {exc}", file=sys.stderr)
        return 2
    json.dump(doc.to_json(), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
