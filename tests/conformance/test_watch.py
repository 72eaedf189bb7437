"""Watches: event order and revisions, key selection, history replay, prev_kv,
filters, cancellation and compaction.

Pattern: start the watch in one program (with start_revision 0 the performer
returns only once the server has created the watch), write with the oracle, then
collect in a later program. Expected revisions come from the oracle's writes.
"""

from __future__ import annotations

import pytest

from etcdfit.matchers import ge
from etcdfit.program import put, txn, watch_cancel, watch_collect, watch_start


def _put_event(key, value, rev, version=None):
    ev = {"type": "PUT", "kv": {"key": key, "value": value, "mod_revision": rev}}
    if version is not None:
        ev["kv"]["version"] = version
    return ev


def _delete_event(key, rev):
    return {"type": "DELETE", "kv": {"key": key, "mod_revision": rev, "value": None}}


@pytest.mark.requires("watch")
def test_watch_key_reports_puts_and_deletes_in_order(performer, oracle, ns):
    k = ns.key("k")
    performer.run(watch_start("w", k))
    r1 = oracle.put(k, "v1").header.revision
    r2 = oracle.put(k, "v2").header.revision
    r3 = oracle.delete(k).header.revision
    performer.run(watch_collect("w", 3).expect(events=[
        _put_event(k, "v1", r1, version=1),
        _put_event(k, "v2", r2, version=2),
        _delete_event(k, r3),
    ]))


@pytest.mark.requires("watch")
def test_watch_key_put_event_carries_create_revision(performer, oracle, ns):
    k = ns.key("k")
    created = oracle.put(k, "v0").header.revision
    performer.run(watch_start("w", k))
    r = oracle.put(k, "v1").header.revision
    performer.run(watch_collect("w", 1).expect(events=[
        {"type": "PUT", "kv": {"key": k, "value": "v1", "create_revision": created, "mod_revision": r, "version": 2}},
    ]))


@pytest.mark.requires("watch")
def test_watch_key_ignores_other_keys(performer, oracle, ns):
    k = ns.key("k")
    performer.run(watch_start("w", k))
    oracle.put(ns.key("k2"), "longer key with the same prefix")
    oracle.put(ns.key("j"), "x")
    r = oracle.put(k, "mine").header.revision
    performer.run(watch_collect("w", 1).expect(events=[_put_event(k, "mine", r)]))


@pytest.mark.requires("watch", "kv.put")
def test_watch_sees_the_sdk_own_writes(performer, oracle, ns):
    k = ns.key("k")
    performer.run(watch_start("w", k))
    res = performer.run(put(k, "v1"), put(k, "v2"))
    r1, r2 = res[0].header.revision, res[1].header.revision
    performer.run(watch_collect("w", 2).expect(events=[_put_event(k, "v1", r1), _put_event(k, "v2", r2)]))


@pytest.mark.requires("watch", "watch.prefix")
def test_watch_prefix(performer, oracle, ns):
    performer.run(watch_start("w", ns.key("p/"), prefix=True))
    r1 = oracle.put(ns.key("p/a"), "1").header.revision
    oracle.put(ns.key("q"), "outside")
    oracle.put(ns.key("p"), "outside too")
    r2 = oracle.put(ns.key("p/b/c"), "2").header.revision
    r3 = oracle.delete(ns.key("p/a")).header.revision
    performer.run(watch_collect("w", 3).expect(events=[
        _put_event(ns.key("p/a"), "1", r1),
        _put_event(ns.key("p/b/c"), "2", r2),
        _delete_event(ns.key("p/a"), r3),
    ]))


@pytest.mark.requires("watch", "watch.range_end")
def test_watch_range_end_is_half_open(performer, oracle, ns):
    performer.run(watch_start("w", ns.key("b"), range_end=ns.key("d")))
    oracle.put(ns.key("a"), "x")
    rb = oracle.put(ns.key("b"), "x").header.revision
    oracle.put(ns.key("d"), "x")
    rc = oracle.put(ns.key("c"), "x").header.revision
    performer.run(watch_collect("w", 2).expect(events=[_put_event(ns.key("b"), "x", rb),
                                                      _put_event(ns.key("c"), "x", rc)]))


@pytest.mark.requires("watch", "watch.start_revision")
def test_watch_from_past_revision_replays_history(performer, oracle, ns):
    k = ns.key("k")
    oracle.put(k, "v0")
    r1 = oracle.put(k, "v1").header.revision
    r2 = oracle.delete(k).header.revision
    r3 = oracle.put(k, "v3").header.revision
    performer.run(
        watch_start("w", k, start_revision=r1),
        watch_collect("w", 3).expect(events=[
            _put_event(k, "v1", r1, version=2),
            _delete_event(k, r2),
            _put_event(k, "v3", r3, version=1),
        ]),
    )
    # The watch stays live after the replay.
    r4 = oracle.put(k, "v4").header.revision
    performer.run(watch_collect("w", 1).expect(events=[_put_event(k, "v4", r4)]))


@pytest.mark.requires("watch", "watch.prefix", "watch.start_revision")
def test_watch_prefix_from_past_revision(performer, oracle, ns):
    ra = oracle.put(ns.key("a"), "1").header.revision
    oracle.put(ns.key("x-other"), "1")  # not under ns.key("a")
    rb = oracle.put(ns.key("ab"), "2").header.revision
    performer.run(
        watch_start("w", ns.key("a"), prefix=True, start_revision=ra),
        watch_collect("w", 2).expect(events=[_put_event(ns.key("a"), "1", ra), _put_event(ns.key("ab"), "2", rb)]),
    )


@pytest.mark.requires("watch", "watch.prev_kv")
def test_watch_prev_kv(performer, oracle, ns):
    k = ns.key("k")
    performer.run(watch_start("w", k, prev_kv=True))
    r1 = oracle.put(k, "v1").header.revision
    r2 = oracle.put(k, "v2").header.revision
    oracle.delete(k)
    performer.run(watch_collect("w", 3).expect(events=[
        {"type": "PUT", "kv": {"value": "v1"}, "prev_kv": None},
        {"type": "PUT", "kv": {"value": "v2"}, "prev_kv": {"key": k, "value": "v1", "mod_revision": r1, "version": 1}},
        {"type": "DELETE", "prev_kv": {"key": k, "value": "v2", "mod_revision": r2, "version": 2}},
    ]))


@pytest.mark.requires("watch")
def test_watch_without_prev_kv_has_none(performer, oracle, ns):
    k = ns.key("k")
    oracle.put(k, "v0")
    performer.run(watch_start("w", k))
    oracle.put(k, "v1")
    oracle.delete(k)
    performer.run(watch_collect("w", 2).expect(events=[
        {"type": "PUT", "prev_kv": None}, {"type": "DELETE", "prev_kv": None}]))


@pytest.mark.requires("watch", "watch.filters")
def test_watch_filter_noput_reports_only_deletes(performer, oracle, ns):
    k = ns.key("k")
    performer.run(watch_start("w", k, filters=["noput"]))
    oracle.put(k, "v1")
    r1 = oracle.delete(k).header.revision
    oracle.put(k, "v2")
    r2 = oracle.delete(k).header.revision
    performer.run(watch_collect("w", 2).expect(events=[_delete_event(k, r1), _delete_event(k, r2)]))


@pytest.mark.requires("watch", "watch.filters")
def test_watch_filter_nodelete_reports_only_puts(performer, oracle, ns):
    k = ns.key("k")
    performer.run(watch_start("w", k, filters=["nodelete"]))
    r1 = oracle.put(k, "v1").header.revision
    oracle.delete(k)
    r2 = oracle.put(k, "v2").header.revision
    performer.run(watch_collect("w", 2).expect(events=[_put_event(k, "v1", r1), _put_event(k, "v2", r2)]))


@pytest.mark.requires("watch", "watch.prefix", "txn")
def test_watch_txn_writes_share_one_revision(performer, oracle, ns):
    performer.run(watch_start("w", ns.key(""), prefix=True))
    performer.run(txn(success=[put(ns.key("a"), "1"), put(ns.key("b"), "2")]))
    rev = oracle.get(ns.key("a")).mod_revision
    res = performer.run(watch_collect("w", 2).expect(events=[_put_event(ns.key("a"), "1", rev),
                                                            _put_event(ns.key("b"), "2", rev)]))
    assert len(res[0].events) == 2


@pytest.mark.requires("watch", "watch.cancel")
def test_cancel_succeeds_and_frees_the_handle(performer, oracle, ns):
    performer.run(watch_start("w", ns.key("old")), watch_cancel("w"))
    oracle.put(ns.key("old"), "after cancel")
    # The handle is free again: a new watch under it sees only its own key.
    performer.run(watch_start("w", ns.key("new")))
    oracle.put(ns.key("old"), "again")
    r = oracle.put(ns.key("new"), "x").header.revision
    performer.run(watch_collect("w", 1).expect(events=[_put_event(ns.key("new"), "x", r)]))


@pytest.mark.requires("watch", "watch.cancel")
def test_cancel_one_watch_keeps_the_other(performer, oracle, ns):
    k = ns.key("k")
    performer.run(watch_start("a", k), watch_start("b", k))
    performer.run(watch_cancel("a"))
    r = oracle.put(k, "v").header.revision
    performer.run(watch_collect("b", 1).expect(events=[_put_event(k, "v", r)], ended=False))


@pytest.mark.requires("watch", "watch.start_revision", "watch.compacted")
def test_watch_from_compacted_revision_ends_with_compacted(performer, oracle, ns):
    k = ns.key("k")
    r1 = oracle.put(k, "v1").header.revision
    oracle.put(k, "v2")
    r3 = oracle.put(k, "v3").header.revision
    oracle.compact(r3)
    res = performer.run(
        watch_start("w", k, start_revision=r1),
        watch_collect("w", 1).expect(ended=True, events=None, end_error={"code": "COMPACTED"},
                                     compact_revision=ge(r3)),
    )
    assert res[1].ended


@pytest.mark.requires("watch", "watch.range_end")
def test_watch_the_server_refuses_ends(performer, oracle, ns):
    # etcd refuses a watch whose range_end is not after its key: it answers with created
    # and canceled set together ("mvcc: watcher range is empty"). The SDK may report that
    # when the watch starts (an error) or as the watch's end, but never as a live watch.
    a, b = ns.key("a"), ns.key("b")
    [start] = performer.run(watch_start("w", b, range_end=a).allow_error())
    if start.kind == "sdk_error":
        # Refused at start with the SDK's error: conforming. A timeout is not a refusal:
        # it means the SDK never said what the server answered.
        assert start.code not in ("DEADLINE_EXCEEDED", "UNAVAILABLE", "CANCELED"), (
            f"the watch start did not report the server's refusal: {start.describe()}")
        return
    assert start.kind == "ok", f"watch_start: {start.describe()}"
    performer.run(watch_collect("w", 1, timeout_ms=3000).expect(ended=True, events=None))


@pytest.mark.requires("watch", "watch.progress_notify")
@pytest.mark.server(progress_notify=True)
def test_progress_notify_reports_the_current_revision_on_a_quiet_watch(performer, oracle, ns):
    # A watch that asks for progress notifications gets, at each of the server's intervals
    # (1 s on the servers etcdfit starts), a response without events whose header carries
    # the current revision: "nothing for you up to revision R".
    r0 = oracle.revision()
    performer.run(watch_start("w", ns.key("quiet"), progress_notify=True))
    [res] = performer.run(watch_collect("w", 0, timeout_ms=3500).expect(events=None, ended=False))
    r1 = oracle.revision()
    assert res.progress_revisions, "no progress notification arrived within 3.5 s (server interval: 1 s)"
    assert all(r0 <= r <= r1 for r in res.progress_revisions), (
        f"progress revisions {list(res.progress_revisions)} are outside [{r0}, {r1}]")


@pytest.mark.requires("watch", "watch.progress_notify")
@pytest.mark.server(progress_notify=True)
def test_watch_without_progress_notify_gets_no_progress_notifications(performer, oracle, ns):
    # Progress notifications go only to watches that asked for them; this one did not.
    performer.run(watch_start("w", ns.key("quiet")))
    performer.run(watch_collect("w", 0, timeout_ms=2500).expect(events=None, ended=False, progress_revisions=None))
