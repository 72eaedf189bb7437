"""Compaction and revision bounds.

Compaction is global: a test compacts only at a revision it produced itself (so
no later test can depend on anything older) and asserts only about its own keys.
"""

from __future__ import annotations

import grpc
import pytest

from etcdfit.program import compact, get


def _history(oracle, ns, n=3):
    """Write n values of ns/k; return their revisions."""
    return [oracle.put(ns.key("k"), f"v{i + 1}").header.revision for i in range(n)]


@pytest.mark.requires("compact", "kv.range", "kv.range.revision")
def test_range_below_compaction_is_compacted(performer, oracle, ns):
    r1, r2, r3 = _history(oracle, ns)
    performer.run(
        compact(r2),
        get(ns.key("k"), revision=r1).expect_error("COMPACTED"),
    )
    # The oracle agrees that history below r2 is gone.
    with pytest.raises(grpc.RpcError, match="compacted"):
        oracle.range(ns.key("k"), revision=r1)


@pytest.mark.requires("compact", "kv.range", "kv.range.revision")
def test_reads_at_and_after_compaction_revision_still_work(performer, oracle, ns):
    r1, r2, r3 = _history(oracle, ns)
    performer.run(
        compact(r2),
        get(ns.key("k"), revision=r2).expect(kvs=[{"value": "v2", "version": 2, "mod_revision": r2}]),
        get(ns.key("k"), revision=r3).expect(kvs=[{"value": "v3", "version": 3}]),
        get(ns.key("k")).expect(kvs=[{"value": "v3", "version": 3, "create_revision": r1}]),
    )


@pytest.mark.requires("kv.range", "kv.range.revision")
def test_range_at_future_revision_is_future_revision(performer, oracle, ns):
    oracle.put(ns.key("k"), "v")
    future = oracle.revision() + 1000
    performer.run(get(ns.key("k"), revision=future).expect_error("FUTURE_REVISION"))


@pytest.mark.requires("compact")
def test_compact_at_future_revision_is_future_revision(performer, oracle, ns):
    r1, r2, r3 = _history(oracle, ns)
    performer.run(compact(oracle.revision() + 1000).expect_error("FUTURE_REVISION"))
    # Nothing was compacted: the oldest revision of our history is still readable.
    assert oracle.range(ns.key("k"), revision=r1).kvs[0].value == b"v1"


@pytest.mark.requires("compact")
def test_compact_twice_at_same_revision_is_compacted(performer, oracle, ns):
    r1, r2, r3 = _history(oracle, ns)
    performer.run(compact(r2), compact(r2).expect_error("COMPACTED"))


@pytest.mark.requires("compact")
def test_compact_below_the_compaction_point_is_compacted(performer, oracle, ns):
    r1, r2, r3 = _history(oracle, ns)
    performer.run(compact(r3), compact(r1).expect_error("COMPACTED"))
    assert oracle.range(ns.key("k"), revision=r3).kvs[0].value == b"v3"


@pytest.mark.requires("compact")
def test_compact_is_visible_to_the_oracle(performer, oracle, ns):
    r1, r2, r3 = _history(oracle, ns)
    performer.run(compact(r3))
    with pytest.raises(grpc.RpcError, match="compacted"):
        oracle.range(ns.key("k"), revision=r2)
    assert oracle.range(ns.key("k"), revision=r3).kvs[0].value == b"v3"


@pytest.mark.requires("compact", "compact.physical", "kv.range", "kv.range.revision")
def test_physical_compaction(performer, oracle, ns):
    r1, r2, r3 = _history(oracle, ns)
    performer.run(
        compact(r3, physical=True),
        get(ns.key("k"), revision=r2).expect_error("COMPACTED"),
        get(ns.key("k"), revision=r3).expect(kvs=[{"value": "v3"}]),
    )
    assert oracle.value(ns.key("k")) == b"v3"


@pytest.mark.requires("compact", "kv.range", "kv.range.revision")
def test_key_deleted_before_compaction_stays_absent(performer, oracle, ns):
    k, gone = ns.key("k"), ns.key("gone")
    oracle.put(gone, "x")
    r_del = oracle.delete(gone).header.revision
    r1, r2, r3 = _history(oracle, ns)
    performer.run(
        compact(r2),
        get(gone, revision=r2).expect(kvs=None, count=0),
        get(k, revision=r2).expect(kvs=[{"value": "v2"}]),
    )
    with pytest.raises(grpc.RpcError, match="compacted"):
        oracle.range(gone, revision=r_del)
