"""Consistency across a 3-member cluster: what an SDK writes through one member is what every
member serves, at the same revisions.

Each test opens one SDK client per member (`performer.connect([that member's endpoint])`), so a
read through member j really goes to member j; the oracle checks each member on its own too
(`cluster.oracle(i)`). After every test the members' HashKV must agree (conftest.py).
"""

from __future__ import annotations

import threading

import pytest

from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem
from etcdfit.program import delete, get, put, txn, value

pytestmark = pytest.mark.server(topology="cluster")

CONCURRENT_WRITES = 10          # per member, in the concurrent test
SEQUENTIAL_WRITES = 20
THREAD_BUDGET_S = 60.0          # one thread's writes; far above what they take (well under 1 s)


def _per_member(performer, cluster) -> list:
    """One SDK client per member, each given only that member's client endpoint."""
    return [performer.connect([ep]) for ep in cluster.endpoints]


def _fail(what: str, expected: str, actual: str) -> None:
    raise ExpectationFailed(f"{what}: expected {expected}, got {actual}",
                            [Problem(Kind.VALUE_MISMATCH, what, expected=expected, actual=actual)])


def _kv_rows(kvs) -> list[tuple]:
    return [(kv.key, kv.value, kv.create_revision, kv.mod_revision, kv.version) for kv in kvs]


@pytest.mark.requires("kv.put", "kv.range")
def test_write_through_one_member_is_read_through_every_member(performer, cluster, ns):
    sdks = _per_member(performer, cluster)
    for i, writer in enumerate(sdks):
        k, v = ns.key(f"via-{i}"), f"written through member {i}"
        [res] = writer.run(put(k, v))
        kv = cluster.oracle(i).get(k)
        assert kv is not None and kv.value == v.encode()
        if res.header.present:
            assert res.header.revision == kv.mod_revision
            assert res.header.member_id == cluster.member_ids[i], "the put was answered by another member"
        for j, reader in enumerate(sdks):   # a linearizable read through each member sees the write
            [got] = reader.run(get(k).expect(kvs=[{"value": v, "mod_revision": kv.mod_revision,
                                                   "create_revision": kv.mod_revision, "version": 1}]))
            if got.header.present:
                assert got.header.member_id == cluster.member_ids[j], f"the read meant for member {j} went elsewhere"
                assert got.header.revision >= kv.mod_revision
            assert _kv_rows(cluster.oracle(j).range(k).kvs) == _kv_rows([kv])


@pytest.mark.requires("kv.put", "kv.range", "kv.range.prefix")
def test_sequential_writes_through_rotating_members_are_seen_by_all_in_order(performer, cluster, ns):
    sdks = _per_member(performer, cluster)
    n = len(sdks)
    revisions = []
    for w in range(SEQUENTIAL_WRITES):
        k, v = ns.key(f"seq/{w:02d}"), f"write {w}"
        sdks[w % n].run(put(k, v))
        # read-your-write across members: the next member must already serve it
        [got] = sdks[(w + 1) % n].run(get(k).expect(kvs=[{"value": v}]))
        revisions.append(got.kvs[0].mod_revision)
    if revisions != sorted(set(revisions)):
        _fail("mod revisions of 20 sequential writes", "strictly increasing in write order", str(revisions))
    expected = [{"key": ns.key(f"seq/{w:02d}"), "value": f"write {w}", "mod_revision": r}
                for w, r in enumerate(revisions)]
    rows = []
    for reader in sdks:
        [res] = reader.run(get(ns.key("seq/"), prefix=True).expect(kvs=expected, count=SEQUENTIAL_WRITES))
        rows.append(_kv_rows(res.kvs))
    assert rows[1:] == rows[:1] * (n - 1), "the members returned different key-values"
    for i in range(n):
        assert [kv.mod_revision for kv in cluster.oracle(i).range(ns.key("seq/"), prefix=True).kvs] == revisions


@pytest.mark.requires("kv.put", "kv.range")
def test_concurrent_writes_through_different_members_all_land_with_distinct_revisions(performer, cluster, ns):
    sdks = _per_member(performer, cluster)
    results: dict[int, list] = {}
    errors: dict[int, BaseException] = {}

    def write(i: int) -> None:
        try:
            results[i] = sdks[i].run(*[put(ns.key(f"m{i}/{w:02d}"), f"{i}.{w}") for w in range(CONCURRENT_WRITES)])
        except BaseException as exc:  # re-raised in the test's thread below
            errors[i] = exc

    threads = [threading.Thread(target=write, args=(i,), daemon=True) for i in range(len(sdks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(THREAD_BUDGET_S)
    if any(t.is_alive() for t in threads):
        _fail("concurrent writers", f"every writer done within {THREAD_BUDGET_S:g}s",
              f"{sum(t.is_alive() for t in threads)} still running")
    for i in sorted(errors):
        raise errors[i]
    kvs = {kv.key: kv for kv in cluster.oracle(0).range(ns.key(""), prefix=True).kvs}
    total = len(sdks) * CONCURRENT_WRITES
    if len(kvs) != total:
        _fail("keys after concurrent writes", f"{total} keys", f"{len(kvs)}")
    revs = [kv.mod_revision for kv in kvs.values()]
    if len(set(revs)) != total:
        _fail("mod revisions of concurrent writes", "all distinct", str(sorted(revs)))
    for i, res in results.items():
        mine = [kvs[ns.key(f"m{i}/{w:02d}")].mod_revision for w in range(CONCURRENT_WRITES)]
        if mine != sorted(mine):
            _fail(f"revisions of member {i}'s writer", "increasing in the order it wrote", str(mine))
        for w, out in enumerate(res):   # each put's reported revision is the revision it landed at
            if out.header.present:
                assert out.header.revision == mine[w]
    for j in range(1, len(sdks)):
        assert _kv_rows(cluster.oracle(j).range(ns.key(""), prefix=True).kvs) == _kv_rows(kvs.values())


@pytest.mark.requires("kv.put", "kv.range", "kv.range.prefix", "kv.delete", "txn", "txn.compare.value")
def test_prefix_range_delete_and_txn_agree_on_every_member(performer, cluster, ns):
    s0, s1, s2 = _per_member(performer, cluster)
    p = ns.key("d/")
    s0.run(*[put(ns.key(f"d/{n}"), str(n)) for n in range(1, 6)])
    s1.run(delete(ns.key("d/2")).expect(deleted=1))
    s2.run(txn([value(ns.key("d/1")) == "1"], success=[put(ns.key("d/6"), "6"), delete(ns.key("d/3"))],
               failure=[put(ns.key("d/wrong"), "x")]).expect(succeeded=True))
    want = ["1", "4", "5", "6"]
    truth = _kv_rows(cluster.oracle(0).range(p, prefix=True).kvs)
    assert [r[1].decode() for r in truth] == want
    for j, sdk in enumerate((s0, s1, s2)):
        [rng, tx] = sdk.run(
            get(p, prefix=True).expect(kvs=[{"value": w} for w in want], count=len(want)),
            txn([value(ns.key("d/6")) == "6"], success=[get(p, prefix=True)],
                failure=[get(ns.key("d/6"))]).expect(succeeded=True))
        if _kv_rows(rng.kvs) != truth:
            _fail(f"prefix range through member {j}", str(truth), str(_kv_rows(rng.kvs)))
        in_txn = _kv_rows(tx.responses[0].range.kvs)
        if in_txn != truth:
            _fail(f"the txn's range through member {j}", str(truth), str(in_txn))
        sdk.run(get(ns.key("d/2")).expect(kvs=[]), get(ns.key("d/3")).expect(kvs=[]),
                get(ns.key("d/wrong")).expect(kvs=[]))
        assert _kv_rows(cluster.oracle(j).range(p, prefix=True).kvs) == truth


@pytest.mark.requires("kv.put", "kv.range")
def test_every_member_reports_the_same_revision_after_a_quorum_write(performer, cluster, ns):
    sdks = _per_member(performer, cluster)
    k = ns.key("a")
    for attempt in range(3):   # retried only when something outside the test wrote in between
        [res] = performer.run(put(k, f"v{attempt}"))
        written = cluster.oracle(0).get(k)
        assert written is not None
        rev = written.mod_revision
        if res.header.present:
            assert res.header.revision == rev
        seen = {}
        for j, sdk in enumerate(sdks):
            [got] = sdk.run(get(k).expect(kvs=[{"value": f"v{attempt}", "mod_revision": rev}]))
            seen[f"member {j} through the SDK"] = got.header.revision if got.header.present else rev
            seen[f"member {j} (oracle, linearizable)"] = cluster.oracle(j).revision()
            seen[f"member {j} (oracle, serializable)"] = cluster.oracle(j).range(k, serializable=True).header.revision
        if set(seen.values()) == {rev}:
            return
        if cluster.oracle(0).revision() == rev:   # nobody else wrote: the members really disagree
            break
    _fail("each member's revision after a quorum write", f"exactly {rev} on every member",
          ", ".join(f"{where}: {r}" for where, r in seen.items()))


@pytest.mark.requires("txn", "kv.range.revision")
def test_a_txn_refused_for_a_future_revision_range_writes_nothing_on_any_member(performer, cluster, ns):
    """A write txn whose range asks for a future revision is refused (FUTURE_REVISION) and must
    write nothing anywhere. The test heals a divergence it causes itself (the cluster is
    recreated), so the check after it sees agreement."""
    via = performer.connect([cluster.endpoints[1]])
    k = ns.key("w")
    try:
        r0 = cluster.oracle(1).revision()
        via.run(txn(success=[put(k, "1"), get(ns.key("r"), revision=r0 + 1000)]).expect_error("FUTURE_REVISION"))
        found = {i: cluster.oracle(i).get(k) is not None for i in range(len(cluster.members))}
        if any(found.values()):
            _fail("members holding the put of a refused txn", "none",
                  ", ".join(f"member {i}" for i, has in found.items() if has)
                  + f" (the txn went to member 1); {cluster.disagreement()}")
    finally:
        if cluster.disagreement() is not None:
            cluster.recreate()
