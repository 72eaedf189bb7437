"""The model on hand-written cases: each states one fact checked against etcd 3.5.1
(see README.md); no server needed."""

from __future__ import annotations

import pytest

from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.model import EtcdModel, EtcdWouldCrash
from etcdfit.model.keys import FROM_KEY_END
from etcdfit.model.strategies import DRAW_BASE, kills_etcd, rebase
from etcdfit.program import (
    Cmd,
    compact,
    create_revision,
    delete,
    get,
    lease_grant,
    lease_keepalive_once,
    lease_revoke,
    lease_ttl,
    put,
    txn,
    value,
    version,
)


def run(*cmds: Cmd, model: EtcdModel | None = None) -> list[object]:
    m = model or EtcdModel()
    return [m.execute(c.command) for c in cmds]


def test_revisions_versions_and_a_delete_resetting_the_version() -> None:
    *_, got = run(put("a", "1"), put("a", "2"), delete("a"), put("a", "3"), get("a"))
    assert isinstance(got, pb.RangeResult)
    assert (got.header.revision, got.kvs[0].create_revision, got.kvs[0].mod_revision, got.kvs[0].version) == (5, 5, 5, 1)


def test_a_write_that_changes_nothing_keeps_the_revision() -> None:
    _, d, t = run(put("a", "1"), delete("zz"), txn(success=[delete("zz"), get("a")]))
    assert isinstance(d, pb.DeleteRangeResult) and isinstance(t, pb.TxnResult)
    assert (d.header.revision, d.deleted, t.header.revision) == (2, 0, 2)


def test_a_txn_is_one_revision_and_reads_its_own_writes() -> None:
    _, t = run(put("a", "1"), txn([value("a") == "1"], success=[put("a", "2"), put("b", "x"), get("a")]))
    assert isinstance(t, pb.TxnResult) and t.succeeded
    assert t.header.revision == 3
    assert t.responses[2].range.kvs[0].value == b"2"
    assert t.responses[2].range.header.revision == 3


def test_nested_compares_see_the_state_before_the_txn() -> None:
    _, t = run(put("a", "1"), txn(success=[put("a", "2"), txn([value("a") == "1"], success=[put("b", "then")])]))
    assert isinstance(t, pb.TxnResult)
    assert t.responses[1].txn.succeeded
    assert t.responses[1].txn.header.revision == 0  # etcd leaves a nested txn's header revision 0


def test_compares_over_ranges_and_missing_keys() -> None:
    m = EtcdModel()
    run(put("a", "1"), put("ab", "1"), model=m)
    cases = [([value("a", prefix=True) == "1"], True), ([value("zz") == ""], False),
             ([version("zz") == 0], True), ([create_revision("a", range_end="b") > 2], False)]
    for cmps, want in cases:
        (t,) = run(txn(cmps), model=m)
        assert isinstance(t, pb.TxnResult) and t.succeeded is want, cmps


@pytest.mark.parametrize(("cmd", "code"), [
    (put(""), "EMPTY_KEY"),
    (put("a", "v", ignore_value=True), "VALUE_PROVIDED"),
    (put("a", lease=1, ignore_lease=True), "LEASE_PROVIDED"),
    (put("a", ignore_value=True), "KEY_NOT_FOUND"),
    (put("a", ignore_value=True, lease=999), "LEASE_NOT_FOUND"),  # alone: the lease is checked first
    (txn(success=[put("a", ignore_value=True, lease=999)]), "KEY_NOT_FOUND"),  # in a txn: the key first
    (get("a", revision=50), "FUTURE_REVISION"),
    (txn(success=[put("a"), put("a")]), "DUPLICATE_KEY"),
    (txn(success=[delete("a", prefix=True), put("ab")]), "DUPLICATE_KEY"),
    (txn(success=[txn(success=[delete("k")]), txn(success=[put("k")])]), "DUPLICATE_KEY"),
    (txn(success=[put(f"k{i}") for i in range(129)]), "TOO_MANY_OPS"),
    (txn(success=[get("a")] * 100 + [txn(success=[get("a")] * 28)]), "TOO_MANY_OPS"),  # 128 - 101 = 27 left
    (put("a", "x" * 1_600_000), "REQUEST_TOO_LARGE"),
    (lease_revoke(7), "LEASE_NOT_FOUND"),
    (lease_keepalive_once(7), "LEASE_NOT_FOUND"),
    (lease_grant(9_000_000_001, id=7), "LEASE_TTL_TOO_LARGE"),
    (compact(99), "FUTURE_REVISION"),
])
def test_refusals(cmd: Cmd, code: str) -> None:
    assert run(cmd) == [code]


def test_allowed_overlaps() -> None:
    ok = [txn(success=[txn(success=[put("k")]), txn(success=[delete("k")])]),  # a nested put before a nested delete
          txn(success=[txn(success=[put("k")], failure=[put("k")])]),  # then and else of one txn
          txn(success=[put("b"), delete("a", from_key=True)])]  # a from-key range is empty to the check
    for t in ok:
        assert isinstance(run(t)[0], pb.TxnResult), t.text()


def test_the_txn_that_crashes_etcd_is_refused_by_the_model_and_never_generated() -> None:
    bad = txn(success=[delete("a", from_key=True), put("b", ignore_value=True)])
    with pytest.raises(EtcdWouldCrash):
        run(put("b", "1"), bad)
    assert kills_etcd(bad.command.txn)


def test_range_options() -> None:
    m = EtcdModel()
    run(put("b", "1"), put("a", "2"), put("c", "2"), put("b", "3"), model=m)
    by_version, limited, counted = run(
        get("", prefix=True, sort_target="version"),  # no order given: ascending, ties in key order
        get("", prefix=True, sort_order="descend", limit=2),
        get("", prefix=True, count_only=True, limit=1), model=m)
    assert isinstance(by_version, pb.RangeResult) and isinstance(limited, pb.RangeResult)
    assert isinstance(counted, pb.RangeResult)
    assert [kv.key for kv in by_version.kvs] == [b"a", b"c", b"b"]
    assert ([kv.key for kv in limited.kvs], limited.more, limited.count) == ([b"c", b"b"], True, 3)
    assert (list(counted.kvs), counted.more, counted.count) == ([], False, 3)


def test_history_and_compaction() -> None:
    m = EtcdModel()
    run(put("a", "1"), put("a", "2"), compact(3), model=m)
    old, compacted, again = run(get("a", revision=3), get("a", revision=2), compact(3), model=m)
    assert isinstance(old, pb.RangeResult) and old.kvs[0].value == b"2"
    assert (compacted, again) == ("COMPACTED", "COMPACTED")


def test_leases_ttls_and_revoke() -> None:
    m = EtcdModel()
    g, _, _, ttl, rev, after = run(lease_grant(1, id=5), put("a", lease=5), put("b", lease=5),
                                   lease_ttl(5, keys=True), lease_revoke(5), get("a"), model=m)
    assert isinstance(g, pb.LeaseGrantResult) and g.ttl == 2  # raised to etcd's minimum
    assert isinstance(ttl, pb.LeaseTimeToLiveResult) and list(ttl.keys) == [b"a", b"b"]
    assert isinstance(rev, pb.LeaseRevokeResult) and rev.header.revision == 4  # both keys in one revision
    assert isinstance(after, pb.RangeResult) and not after.kvs
    (missing,) = run(lease_ttl(5), model=m)
    assert isinstance(missing, pb.LeaseTimeToLiveResult) and missing.ttl == -1


def test_events_with_prev_kv_and_compaction() -> None:
    m = EtcdModel()
    run(put("a", "1"), put("a", "2"), delete("a"), model=m)
    evs = m.events(FROM_KEY_END, FROM_KEY_END, 3)
    assert isinstance(evs, list)
    assert [(e.type, e.kv.mod_revision, e.prev_kv.value) for e in evs] == [
        (pb.EVENT_TYPE_PUT, 3, b"1"), (pb.EVENT_TYPE_DELETE, 4, b"2")]
    run(compact(4), model=m)
    assert m.events(b"a", b"", 3) == "COMPACTED"


def test_rebase_moves_revisions_not_zeros() -> None:
    (moved,) = rebase([get("a", revision=DRAW_BASE + 1, min_mod_revision=0).command], 10)
    assert (moved.range.revision, moved.range.min_mod_revision) == (DRAW_BASE + 11, 0)
