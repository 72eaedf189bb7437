"""Latch relay round trip, for `make bench` (etcdfit.bench calls latch_relay).

Two programs on two clients of one performer ping-pong through the driver: A signals
pingN and waits for pongN; B waits for pingN and signals pongN. One round trip is A's
signal to A's wait returning, on A's own clock: two relays through the driver (A ->
driver -> B, B -> driver -> A). Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import statistics

from .concurrency import run_concurrently, signal, wait
from .performer.client import PerformerClient
from .performer.pool import PerformerSession
from .program import Cmd


def latch_relay(client: PerformerClient, endpoints: list[str], rounds: int = 300) -> list[float]:
    """Round-trip times in microseconds, one per round."""
    a = PerformerSession(client, client.connect(endpoints), "bench", 60.0)
    b = PerformerSession(client, client.connect(endpoints), "bench", 60.0)
    try:
        prog_a: list[Cmd] = []
        prog_b: list[Cmd] = []
        for i in range(rounds):
            prog_a += [signal(f"ping{i}"), wait(f"pong{i}", timeout_ms=5000)]
            prog_b += [wait(f"ping{i}", timeout_ms=5000), signal(f"pong{i}")]
        run = run_concurrently([(a, prog_a), (b, prog_b)], timeout=120)
        outs = run.results[0]
        return [(outs[2 * i + 1].result.return_ns - outs[2 * i].result.call_ns) / 1e3 for i in range(rounds)]
    finally:
        a.close()
        b.close()


def report(rtts: list[float]) -> str:
    q = statistics.quantiles(rtts, n=100)
    return (f"  latch relay round trip ({len(rtts)} rounds, 2 relays each): p50 {statistics.median(rtts):8.1f} us, "
            f"p99 {q[98]:8.1f} us, max {max(rtts):8.1f} us; one relay p99 ~ {q[98] / 2:.1f} us")
