"""The watch-guarantee checker, on crafted event lists: each guarantee broken once, and a clean
stream that breaks none."""

from __future__ import annotations

import pytest

from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.history.watch import WatchChecker, WatchRequest, check_reliable
from etcdfit.outcomes import Kind


def ev(key: str, rev: int, *, kind: str = "put", version: int = 1, created: int | None = None,
       prev: int | None = None, response: int = 0) -> pb.WatchEvent:
    e = pb.WatchEvent(type=pb.EVENT_TYPE_PUT if kind == "put" else pb.EVENT_TYPE_DELETE, response=response,
                      kv=pb.KeyValue(key=key.encode(), mod_revision=rev, version=version if kind == "put" else 0,
                                     create_revision=(created or rev) if kind == "put" else 0))
    if prev is not None:
        e.prev_kv.CopyFrom(pb.KeyValue(key=key.encode(), mod_revision=prev, version=1))
    return e


PREFIX = WatchRequest(b"p/", b"p0")  # every key under p/


def guarantees(problems) -> list[str]:
    assert all(p.kind is Kind.HISTORY_VIOLATION for p in problems)
    return [p.message.split("'")[-2] for p in problems]


def test_a_clean_stream_breaks_nothing():
    c = WatchChecker("w", PREFIX)
    assert c.feed([ev("p/a", 5, response=1), ev("p/b", 5, response=1), ev("p/a", 6, version=2, created=5,
                                                                          response=2)]) == []
    assert c.feed([ev("p/c", 9, kind="delete", response=3)]) == []


@pytest.mark.parametrize("events, broken", [
    ([ev("p/a", 5), ev("p/a", 5)], ["unique"]),
    ([ev("p/a", 6, version=2, created=1), ev("p/b", 5)], ["ordered"]),
    ([ev("p/a", 5, response=1), ev("p/b", 5, response=2)], ["atomic"]),
    ([ev("q/a", 5)], ["in the watched range"]),
    ([ev("p/a", 5, version=1, created=3)], ["create flag"]),
    ([ev("p/a", 5, version=2)], ["create flag"]),
])
def test_each_guarantee_broken_once_is_named(events, broken):
    assert guarantees(WatchChecker("w", PREFIX).feed(events)) == broken


def test_order_is_checked_across_collects():
    c = WatchChecker("w", PREFIX)
    assert c.feed([ev("p/a", 7)]) == []
    assert guarantees(c.feed([ev("p/b", 6)])) == ["ordered"]
    assert guarantees(c.feed([ev("p/a", 7)])) == ["unique"]


def test_start_revision_and_filters():
    req = WatchRequest(b"p/", b"p0", start_revision=10, no_put=True)
    assert guarantees(WatchChecker("w", req).feed([ev("p/a", 9, kind="delete"), ev("p/a", 11)])) == \
        ["from the start revision", "filters"]
    nodel = WatchRequest(b"k", no_delete=True)
    assert guarantees(WatchChecker("w", nodel).feed([ev("k", 3, kind="delete")])) == ["filters"]


def test_prev_kv_rules():
    asked = WatchRequest(b"p/", b"p0", prev_kv=True)
    assert WatchChecker("w", asked).feed([ev("p/a", 5), ev("p/a", 6, version=2, created=5, prev=5)]) == []
    assert guarantees(WatchChecker("w", asked).feed([ev("p/a", 6, version=2, created=5)])) == ["prev_kv"]
    assert guarantees(WatchChecker("w", asked).feed([ev("p/a", 6, kind="delete")])) == ["prev_kv"]
    assert guarantees(WatchChecker("w", asked).feed([ev("p/a", 6, version=2, created=5, prev=6)])) == ["prev_kv"]
    assert guarantees(WatchChecker("w", asked).feed([ev("p/a", 5, prev=4)])) == ["prev_kv"]  # a create has none
    not_asked = WatchRequest(b"p/", b"p0")
    assert guarantees(WatchChecker("w", not_asked).feed([ev("p/a", 6, version=2, created=5, prev=5)])) == \
        ["prev_kv"]


def test_reliable_names_what_is_missing():
    delivered = [ev("p/a", 5), ev("p/c", 8)]
    history = [(pb.EVENT_TYPE_PUT, b"p/a", 5), (pb.EVENT_TYPE_PUT, b"p/b", 6), (pb.EVENT_TYPE_DELETE, b"p/a", 7),
               (pb.EVENT_TYPE_PUT, b"p/c", 8)]
    [p] = check_reliable("w", delivered, history, 4, 8)
    assert p.kind is Kind.HISTORY_VIOLATION and "'reliable'" in p.message
    assert p.expected == "all 4 events the server has" and p.actual.startswith("2 missing: PUT 'p/b' @6, DELETE")
    assert check_reliable("w", [*delivered, ev("p/b", 6), ev("p/a", 7, kind="delete")], history, 4, 8) == []


def test_request_of_a_watch_start_command():
    req = WatchRequest.of(pb.WatchStartCommand(key=b"p/", kind=pb.RANGE_KIND_PREFIX, start_revision=3,
                                               filters=[pb.WATCH_FILTER_NOPUT]))
    assert (req.key, req.range_end, req.start_revision, req.no_put, req.no_delete) == (b"p/", b"p0", 3, True, False)
    assert req.covers(b"p/x") and not req.covers(b"q")
    assert WatchRequest.of(pb.WatchStartCommand(key=b"k")).covers(b"k")
    assert not WatchRequest.of(pb.WatchStartCommand(key=b"k")).covers(b"k2")
