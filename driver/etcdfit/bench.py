"""`make bench`: harness overhead, measured in one run on this machine.

1. N puts sent as ONE program through the go-clientv3 performer, versus the same N
   puts made by a plain Go program linking the same SDK (bench-direct).
2. Per-command overhead when each command is its own Execute call.
Each figure is the median of several repetitions; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from .gen.etcdfit.performer.v1 import performer_pb2 as pb
from .performer import build, manifest
from .performer.client import PerformerClient
from .program import put
from .servers import embedded


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etcdfit.bench")
    ap.add_argument("--n", type=int, default=1000, help="puts per batch (default 1000)")
    ap.add_argument("--single", type=int, default=300, help="single-command Execute calls (default 300)")
    ap.add_argument("--repeat", type=int, default=5, help="repetitions; the median is reported (default 5)")
    ap.add_argument("--performer", default="go-clientv3")
    args = ap.parse_args(argv)

    m = manifest.load(args.performer)
    version = m.default_version
    out = build.build(m, version)
    direct = out / "bench-direct"
    logs = Path(tempfile.mkdtemp(prefix="etcdfit-bench-"))
    server = embedded.start(embedded.distro_binary(), logs)
    client = PerformerClient.launch(m, version, out, logs)
    try:
        cid = client.connect(server.endpoints)
        batch_s, direct_s, single_s = [], [], []
        for r in range(args.repeat):
            prog = pb.Program(commands=[put(f"bench/h{r}/{i}", "v").command for i in range(args.n)])
            t0 = time.perf_counter()
            resp = client.execute(cid, prog, timeout=300)
            batch_s.append(time.perf_counter() - t0)
            bad = [x for x in resp.results if x.WhichOneof("outcome") != "ok"]
            if bad or len(resp.results) != args.n:
                raise SystemExit(f"bench: {len(bad)} puts failed through the performer: {bad[:1]}")
            res = subprocess.run([str(direct), "--endpoints", server.endpoints[0], "--n", str(args.n),
                                  "--prefix", f"bench/d{r}/"], capture_output=True, text=True, check=True)
            direct_s.append(json.loads(res.stdout.strip().splitlines()[-1])["elapsed_ns"] / 1e9)
            one = pb.Program(commands=[put(f"bench/s{r}", "v").command])
            t0 = time.perf_counter()
            for _ in range(args.single):
                client.execute(cid, one, timeout=30)
            single_s.append((time.perf_counter() - t0) / args.single)
        b, d, s = (statistics.median(x) for x in (batch_s, direct_s, single_s))
        per_put_direct = d / args.n
        print(f"etcdfit bench: {m.name}@{version}, etcd {server.version}, median of {args.repeat} runs")
        print(f"  {args.n} puts, one program via performer : {b * 1e3:9.1f} ms ({b / args.n * 1e6:7.1f} us/put)")
        print(f"  {args.n} puts, plain Go program (direct) : {d * 1e3:9.1f} ms ({per_put_direct * 1e6:7.1f} us/put)")
        print(f"  ratio performer/direct                   : {b / d:9.2f}x")
        print(f"  one put per Execute call                 : {s * 1e6:9.1f} us/call")
        print(f"  per-command overhead of its own Execute  : {(s - per_put_direct) * 1e6:9.1f} us "
              f"({s / per_put_direct:.2f}x a direct put)")
    finally:
        client.close()
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
