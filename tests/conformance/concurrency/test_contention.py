"""Compare-and-swap contention and election handover across SDKs, placed by latches."""

from __future__ import annotations

from etcdfit.concurrency import (
    campaign,
    check_linearizable,
    observe_collect,
    observe_start,
    resign,
    run_concurrently,
    signal,
    wait,
)
from etcdfit.program import get, put, txn, value


def test_cas_contention_exactly_one_wins(clients, ns, oracle, artifacts):
    """Two clients both read v0, then (latched so both reads come before either write) both
    swap v0 for their own value: exactly one txn succeeds; the history is linearizable."""
    sessions = clients(0)
    for i in range(len(sessions)):
        a, b = sessions[i], sessions[(i + 1) % len(sessions)]
        k = ns.key(f"cas{i}")
        oracle.put(k, "v0")
        run = run_concurrently([
            (a, [get(k).expect(kvs=[{"value": b"v0"}]), signal("a-read"), wait("b-read"),
                 txn([value(k) == "v0"], [put(k, "a")])]),
            (b, [get(k).expect(kvs=[{"value": b"v0"}]), signal("b-read"), wait("a-read"),
                 txn([value(k) == "v0"], [put(k, "b")])]),
        ])
        wins = [run.results[0][3].succeeded, run.results[1][3].succeeded]
        assert wins.count(True) == 1, f"exactly one compare-and-swap must win, got {wins}"
        assert oracle.value(k) == (b"a" if wins[0] else b"b")
        check_linearizable(run.history, artifacts, initial={k: b"v0"})


def test_election_handover_observed_in_order(clients, ns):
    """A leads; B campaigns behind it; observers in other clients see A, then B after A resigns.
    Each observer has seen A before it lets A resign: an SDK's observe may return before its
    stream reached etcd (jetcd's Election.observe is void and asynchronous; clientv3's starts a
    goroutine), and an observer that reaches etcd after the handover rightly sees only B.
    B holds its leadership until every observer has seen it (clientv3's Observe, which etcd's
    v3election service runs too, re-reads the current leader after a leader's key is deleted: a
    leader that comes and goes in between is never reported, so B must not resign at once)."""
    a, b, *observers = clients(4, "election")
    name = ns.key("election")
    obs = [(o, [observe_start(f"o{i}", name), observe_collect(f"o{i}", 1, timeout_ms=8000), signal(f"obs{i}"),
                observe_collect(f"o{i}", 1, timeout_ms=8000), signal(f"seen{i}")]) for i, o in enumerate(observers)]
    run = run_concurrently([
        (a, [campaign("a", name, "A"), signal("a-leads"), *[wait(f"obs{i}") for i in range(len(observers))],
             wait("b-campaigning"), resign("a")]),
        (b, [wait("a-leads"), signal("b-campaigning"), campaign("b", name, "B"),
             *[wait(f"seen{i}") for i in range(len(observers))], resign("b")]),
        *obs,
    ])
    for i, (o, _) in enumerate(obs):
        seen = [kv.value for k in (1, 3) for kv in run.results[2 + i][k].leaders]
        dedup = [v for j, v in enumerate(seen) if j == 0 or seen[j - 1] != v]
        assert dedup[:2] == [b"A", b"B"], f"{o.identity.label} observed {seen}, expected A then B"
