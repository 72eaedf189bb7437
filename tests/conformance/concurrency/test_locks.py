"""Locks across SDKs, through each SDK's own lock recipe (docs/concurrency.md).

Expectations come from etcd's lock semantics: a lock on etcd's layout (capability
`lock`) is held by the contender whose key has the lowest create revision, so a second
contender's acquire cannot return before the holder's key is gone, and each new holder's
key revision is higher (a fencing token). Times are the driver's clock (sound bounds).
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from etcdfit.concurrency import check_linearizable, lock_acquire, lock_release, run_concurrently, signal, wait
from etcdfit.program import get, put


def _ring(sessions):
    return [(sessions[i], sessions[(i + 1) % len(sessions)]) for i in range(len(sessions))]


def test_lock_blocks_until_release(clients, ns):
    """A holds the lock; B's acquire, started while A holds it, returns only after A's release began."""
    sessions = clients(0, "lock")
    for i, (a, b) in enumerate(_ring(sessions)):
        if a is b:
            continue
        name = ns.key(f"lock{i}")
        run = run_concurrently([
            (a, [lock_acquire("a", name), signal("held"), wait("b-trying"), lock_release("a").expect(released=True)]),
            (b, [wait("held"), signal("b-trying"), lock_acquire("b", name).expect(acquired=True), lock_release("b")]),
        ])
        a_acq, a_rel, b_acq = run.results[0][0], run.results[0][3], run.results[1][2]
        ops = {(o.client, o.index): o for o in run.history.operations}
        la, lb = (f"{s.identity.label}/{s.client_id}" for s in (a, b))
        assert ops[(lb, 2)].return_ns >= ops[(la, 3)].call_ns, \
            f"{b.identity.label}'s acquire returned before {a.identity.label}'s release was called"
        assert b_acq.create_revision > a_acq.create_revision, "fencing token must grow"
        assert a_rel.header is not None


@pytest.mark.parametrize("rounds", [3])
def test_mutual_exclusion_counter(clients, ns, oracle, artifacts, rounds):
    """Every client increments a lock-protected counter `rounds` times: no update is lost,
    no two holds overlap, fencing tokens grow in hold order, the KV history is linearizable."""
    sessions = clients(max(3, 0), "lock")
    name, counter = ns.key("mutex"), ns.key("counter")
    oracle.put(counter, "start")
    programs = []
    for i, s in enumerate(sessions):
        cmds = []
        for r in range(rounds):
            cmds += [lock_acquire(f"h{r}", name).expect(acquired=True), get(counter),
                     put(counter, f"c{i}-r{r}", prev_kv=True), lock_release(f"h{r}")]
        programs.append((s, cmds))
    run = run_concurrently(programs)
    # Hold order comes from the server, not from clocks: each hold writes the counter once, and
    # the writes' revisions order the holds. (The history's call/return times are widened bounds,
    # so an order taken from them can invert two holds a slow driver saw late.)
    holds = []
    for i, (s, _) in enumerate(programs):
        label = f"{s.identity.label}/{s.client_id}"
        for r in range(rounds):
            acq, read, write = (run.results[i][4 * r + k] for k in range(3))
            seen = read.kvs[0].value if read.kvs else None
            assert write.prev_kv.value == seen, \
                f"{label} round {r}: another holder wrote between its read and its write (lost update)"
            holds.append((write.header.revision, acq.create_revision, label, r, f"c{i}-r{r}".encode(),
                          write.prev_kv.value))
    holds.sort()
    previous = b"start"
    for _, _, label, r, value, overwrote in holds:   # each hold follows the one before it: no overlap
        assert overwrote == previous, (f"holds overlap: {label} round {r} overwrote {overwrote!r}, not "
                                       f"{previous!r} written by the hold before it")
        previous = value
    for h1, h2 in pairwise(holds):
        assert h2[1] > h1[1], f"fencing token did not grow in hold order from {h1[2:4]} to {h2[2:4]}"
    assert oracle.get(counter).version == 1 + rounds * len(sessions)
    check_linearizable(run.history, artifacts, initial={counter: b"start"})


def test_lease_loss_loses_lock(clients, ns, oracle):
    """A holder whose session lease is gone loses the lock; the next holder's key revision is higher."""
    a, b = clients(2, "lock")
    name = ns.key("lost")
    first = a.run(lock_acquire("a", name, session_ttl=5))[0]
    assert first.acquired and first.lease, "the recipe reports its session lease"
    oracle.lease_revoke(first.lease)   # as expiry does: etcd deletes the lease's keys
    second = b.run(lock_acquire("b", name, timeout_ms=5000).expect(acquired=True), lock_release("b"))[0]
    assert second.create_revision > first.create_revision, "the next holder's fencing token is higher"


def test_try_lock_while_held(clients, ns):
    """While A holds the lock, B's try-acquire returns at once, not acquired; after A's release it acquires."""
    a, b = clients(2, "lock", "lock.try")
    name = ns.key("try")
    run_concurrently([
        (a, [lock_acquire("a", name), signal("held"), wait("tried"), lock_release("a"), signal("released")]),
        (b, [wait("held"), lock_acquire("b1", name, try_only=True).expect(acquired=False), signal("tried"),
             wait("released"), lock_acquire("b2", name, try_only=True).expect(acquired=True), lock_release("b2")]),
    ])


@pytest.mark.requires("stream.latches", "lock.single_key")
def test_single_key_lock_excludes_its_own_clients(performer, etcd, ns):
    """The SDK's single-key lock (lock.single_key) excludes another client of the same SDK:
    while one holds it, the other's acquire gives up at its timeout, not acquired."""
    a, b = performer, performer.connect(etcd.endpoints)
    name = ns.key("single")
    run_concurrently([
        (a, [lock_acquire("a", name), signal("held"), wait("b-gave-up"), lock_release("a").expect(released=True)]),
        (b, [wait("held"), lock_acquire("b", name, timeout_ms=1000).expect(acquired=False), signal("b-gave-up")]),
    ])
