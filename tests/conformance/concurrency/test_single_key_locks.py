"""The SDKs' single-key locks (capability lock.single_key), one SDK at a time.

The catalog promises "acquire with a timeout": a contender's acquire waits for the
holder's key to go, up to its timeout. Per performer (`performer` fixture), so a
per-performer known failure covers an SDK whose lock does not wait (docs/concurrency.md).
"""

from __future__ import annotations

import pytest

from etcdfit.concurrency import lock_acquire, lock_release, run_concurrently, signal, wait


@pytest.mark.requires("stream.latches", "lock.single_key")
def test_single_key_lock_blocks_until_release(performer, etcd, ns):
    """B's acquire, started while A holds the lock, waits and acquires once A released: it
    returns after A's release began, acquired, with a higher create revision. A pauses 1 s
    (a Wait on a latch nobody releases) before releasing, so B's acquire reaches etcd while
    the lock is held; nothing is asserted on time."""
    a, b = performer, performer.connect(etcd.endpoints)
    name = ns.key("blocking")
    run = run_concurrently([
        (a, [lock_acquire("a", name).expect(acquired=True), signal("held"), wait("b-trying"),
             wait("pause", timeout_ms=1000).expect(released=False), lock_release("a").expect(released=True)]),
        (b, [wait("held"), signal("b-trying"), lock_acquire("b", name, timeout_ms=8000).expect(acquired=True),
             lock_release("b").expect(released=True)]),
    ])
    ops = {(o.client, o.index): o for o in run.history.operations}
    la, lb = (f"{s.identity.label}/{s.client_id}" for s in (a, b))
    assert ops[(lb, 2)].return_ns >= ops[(la, 4)].call_ns, "B's acquire returned before A's release was called"
    first, second = run.results[0][0], run.results[1][2]
    if first.create_revision and second.create_revision:
        assert second.create_revision > first.create_revision, "the next holder's key revision must be higher"
