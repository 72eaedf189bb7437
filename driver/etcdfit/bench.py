"""`make bench`: harness overhead, measured in one run on this machine.

1. N puts sent as ONE program through the go-clientv3 performer, versus the same N
   puts made by a plain Go program linking the same SDK (bench-direct).
2. Per-command overhead when each command is its own Execute call.
3. The per-call fast path: a bare unary RPC (Describe), an empty Execute and a one-put
   Execute, each through the three Python call paths the driver could use (blocking stub
   call, future, grpc.aio), and the ratios between them and a direct SDK put.
4. Latch relay round trip between two ExecuteStream programs (bench_latches.py).
Each figure is the median of several repetitions; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc

from .gen.etcdfit.performer.v1 import performer_pb2 as pb
from .gen.etcdfit.performer.v1 import performer_pb2_grpc as pbg
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
    ap.add_argument("--latch-performer", action="append", default=[], metavar="NAME[@VERSION]",
                    help="also measure the latch relay through this performer (repeatable), e.g. rust-etcd-client")
    args = ap.parse_args(argv)

    m = manifest.load(args.performer)
    version = m.default_version
    out = build.build(m, version)
    direct = out / "bench-direct"
    with tempfile.TemporaryDirectory(prefix="etcdfit-bench-") as tmp:
        return _run(args, m, version, out, direct, Path(tmp))


def _run(args: argparse.Namespace, m: manifest.Manifest, version: str, out: Path, direct: Path, logs: Path) -> int:
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
        _fast_path(client, cid, args.repeat, per_put_direct)
        from .bench_latches import latch_relay, report

        print(report(latch_relay(client, server.endpoints)))
        for spec in args.latch_performer:
            print(f"  {spec}:")
            print(report(_latch_relay_of(spec, server.endpoints, logs)))
    finally:
        client.close()
        server.stop()
    return 0


def _latch_relay_of(spec: str, endpoints: list[str], logs: Path) -> list[float]:
    """The latch relay round trips through another performer (built if needed)."""
    from .bench_latches import latch_relay

    name, _, version = spec.partition("@")
    lm = manifest.load(name)
    version = version or lm.default_version
    other = PerformerClient.launch(lm, version, build.build(lm, version), logs)
    try:
        return latch_relay(other, endpoints)
    finally:
        other.close()


def _median_us(repeat: int, n: int, call: Callable[[], Any]) -> float:
    for _ in range(50):
        call()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            call()
        runs.append((time.perf_counter() - t0) / n)
    return statistics.median(runs) * 1e6


async def _median_us_aio(repeat: int, n: int, call: Callable[[], Awaitable[Any]]) -> float:
    for _ in range(50):
        await call()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            await call()
        runs.append((time.perf_counter() - t0) / n)
    return statistics.median(runs) * 1e6


def _fast_path(client: PerformerClient, cid: str, repeat: int, per_put_direct: float, n: int = 500) -> None:
    describe = pb.DescribeRequest()
    empty = pb.ExecuteRequest(client_id=cid, program=pb.Program())
    one = pb.ExecuteRequest(client_id=cid, program=pb.Program(commands=[put("bench/fast", "v").command]))
    calls: dict[str, tuple[Any, Any]] = {"bare RPC (Describe)": (client.stub.Describe, describe),
                                         "empty Execute": (client.stub.Execute, empty),
                                         "one-put Execute": (client.stub.Execute, one)}

    def blocking_call(f: Any, r: Any) -> Callable[[], Any]:
        return lambda: f(r, timeout=5)

    def future_call(f: Any, r: Any) -> Callable[[], Any]:
        return lambda: f.future(r, timeout=5).result()

    def aio_call(f: Any, r: Any) -> Callable[[], Awaitable[Any]]:
        return lambda: f(r, timeout=5)

    blocking = {k: _median_us(repeat, n, blocking_call(f, r)) for k, (f, r) in calls.items()}
    future = {k: _median_us(repeat, n, future_call(f, r)) for k, (f, r) in calls.items()}

    async def aio() -> dict[str, float]:
        async with grpc.aio.insecure_channel(client.address) as ch:
            stub = pbg.PerformerServiceStub(ch)
            fns: dict[str, tuple[Any, Any]] = {"bare RPC (Describe)": (stub.Describe, describe),
                                               "empty Execute": (stub.Execute, empty),
                                               "one-put Execute": (stub.Execute, one)}
            return {k: await _median_us_aio(repeat, n, aio_call(f, r)) for k, (f, r) in fns.items()}

    via_aio = asyncio.run(aio())
    direct_us = per_put_direct * 1e6
    print(f"  per-call paths, median us of {n} calls   :  blocking     future   grpc.aio")
    for k in calls:
        print(f"    {k:<37}: {blocking[k]:9.1f}  {future[k]:9.1f}  {via_aio[k]:9.1f}")
    print(f"    direct SDK put (plain Go, from above) : {direct_us:9.1f}")
    bare, emp, put1 = (blocking[k] for k in calls)
    print(f"  ratios (blocking path, the driver's)     : empty Execute / bare RPC {emp / bare:.2f}x, "
          f"one-put Execute / bare RPC {put1 / bare:.2f}x, one-put Execute / direct put {put1 / direct_us:.2f}x, "
          f"harness cost of one put {put1 - direct_us:.0f} us = {(put1 - direct_us) / bare:.2f}x a bare RPC")


if __name__ == "__main__":
    raise SystemExit(main())
