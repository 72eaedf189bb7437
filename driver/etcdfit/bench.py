"""`make bench`: harness overhead, measured in one run on this machine.

1. N puts sent as ONE program through the go-clientv3 performer, versus the same N
   puts made by a plain Go program linking the same SDK (bench-direct).
2. Per-command overhead when each command is its own Execute call.
3. The per-call fast path: a bare unary RPC (Describe), an empty Execute and a one-put
   Execute, through every path the driver could carry a program on (a unary RPC: blocking
   call, future, grpc.aio; one ExecuteSession stream: blocking, grpc.aio), and the ratios
   between them and a direct SDK put.
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


def _median_us(repeat: int, n: int, call: Callable[[], Any]) -> tuple[float, float]:
    """Median microseconds per call over `repeat` runs of `n` calls, and the median time
    the performer spent inside the SDK call (CommandResult return_ns - call_ns; 0 when the
    answer has no command result)."""
    for _ in range(50):
        call()
    runs: list[float] = []
    inner: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        inner.extend(_sdk_us(call()) for _ in range(n))
        runs.append((time.perf_counter() - t0) / n)
    return statistics.median(runs) * 1e6, statistics.median(inner)


async def _median_us_aio(repeat: int, n: int, call: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    for _ in range(50):
        await call()
    runs: list[float] = []
    inner: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        inner.extend([_sdk_us(await call()) for _ in range(n)])
        runs.append((time.perf_counter() - t0) / n)
    return statistics.median(runs) * 1e6, statistics.median(inner)


def _sdk_us(resp: Any) -> float:
    results = getattr(resp, "results", None)
    return (results[0].return_ns - results[0].call_ns) / 1e3 if results else 0.0


# One row per call path: (Describe, empty Execute, one-put Execute), each (us, SDK us).
Row = tuple[tuple[float, float] | None, tuple[float, float], tuple[float, float]]


def _fast_path(client: PerformerClient, cid: str, repeat: int, per_put_direct: float, n: int = 500) -> None:
    """Every way the driver could carry a program, measured in this one run: a unary RPC
    per program (blocking stub call, future, grpc.aio) and one ExecuteSession stream for
    many programs (blocking, as PerformerClient.execute does it, and grpc.aio)."""
    describe = pb.DescribeRequest()
    empty = pb.ExecuteRequest(client_id=cid, program=pb.Program())
    one = pb.ExecuteRequest(client_id=cid, program=pb.Program(commands=[put("bench/fast", "v").command]))
    rows: dict[str, Row] = {}

    def unary(wrap: Callable[[Any, Any], Callable[[], Any]]) -> Row:
        return (_median_us(repeat, n, wrap(client.stub.Describe, describe)),
                _median_us(repeat, n, wrap(client.stub.Execute, empty)),
                _median_us(repeat, n, wrap(client.stub.Execute, one)))

    rows["unary RPC, blocking call (before)"] = unary(lambda f, r: lambda: f(r, timeout=5))
    rows["unary RPC, future"] = unary(lambda f, r: lambda: f.future(r, timeout=5).result())
    if client.uses_session():
        rows["ExecuteSession, blocking (the driver's)"] = (
            None,
            _median_us(repeat, n, lambda: client.execute(cid, empty.program, timeout=5)),
            _median_us(repeat, n, lambda: client.execute(cid, one.program, timeout=5)))

    async def aio() -> dict[str, Row]:
        async with grpc.aio.insecure_channel(client.address) as ch:
            stub = pbg.PerformerServiceStub(ch)
            out: dict[str, Row] = {"unary RPC, grpc.aio": (
                await _median_us_aio(repeat, n, lambda: stub.Describe(describe, timeout=5)),
                await _median_us_aio(repeat, n, lambda: stub.Execute(empty, timeout=5)),
                await _median_us_aio(repeat, n, lambda: stub.Execute(one, timeout=5)))}
            if client.uses_session():
                call = stub.ExecuteSession(timeout=600)

                async def on_stream(req: pb.ExecuteRequest) -> Any:
                    await call.write(req)
                    return await call.read()

                out["ExecuteSession, grpc.aio"] = (
                    None,
                    await _median_us_aio(repeat, n, lambda: on_stream(empty)),
                    await _median_us_aio(repeat, n, lambda: on_stream(one)))
                await call.done_writing()
            return out

    rows.update(asyncio.run(aio()))
    direct_us = per_put_direct * 1e6
    print(f"  per-call paths, median us of {n} calls    :  Describe  empty Execute  one-put Execute (SDK call inside)")
    for k, (d, e, o) in rows.items():
        dd = f"{d[0]:9.1f}" if d else f"{'-':>9}"
        print(f"    {k:<38}: {dd}  {e[0]:13.1f}  {o[0]:15.1f} ({o[1]:.0f})")
    print(f"    direct SDK put (plain Go, from above)   : {direct_us:9.1f}")
    before = rows["unary RPC, blocking call (before)"]
    assert before[0] is not None
    bare = min(before[0][0], before[1][0])
    after = rows.get("ExecuteSession, blocking (the driver's)", before)
    print(f"  bare unary RPC: {bare:.1f} us (the cheaper of Describe and an empty Execute, blocking call)")
    print("  ratios to the bare unary RPC           :  before (unary)  after (the driver's path)")
    measures: list[tuple[str, Callable[[Row], float]]] = [
        ("empty Execute", lambda r: r[1][0]),
        ("one-put Execute", lambda r: r[2][0]),
        ("harness cost of a one-put Execute", lambda r: r[2][0] - r[2][1])]
    for label, f in measures:
        print(f"    {label:<37}: {f(before) / bare:14.2f}x  {f(after) / bare:8.2f}x")
    print(f"    one-put Execute / (bare RPC + direct put): {before[2][0] / (bare + direct_us):11.2f}x  "
          f"{after[2][0] / (bare + direct_us):8.2f}x")
    print("  (harness cost = the Execute call's time minus the SDK call inside it, as the performer timed it)")


if __name__ == "__main__":
    raise SystemExit(main())
