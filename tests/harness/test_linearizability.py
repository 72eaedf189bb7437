"""The porcupine helper flags a crafted non-linearizable history and passes a linearizable one;
driver-clock alignment keeps every operation inside sound bounds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.history import linearizability
from etcdfit.history.record import NEVER, History, Operation, align

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="the porcupine helper is built with go")


def _put(client: str, key: bytes, value: bytes, call: int, ret: int, ok: bool = True) -> Operation:
    result = pb.CommandResult(ok=pb.CommandOk(put=pb.PutResult())) if ok else \
        pb.CommandResult(sdk_error=pb.SdkError(code=pb.DEADLINE_EXCEEDED))
    return Operation(client, 0, pb.Command(put=pb.PutCommand(key=key, value=value)), result, call, ret)


def _get(client: str, key: bytes, seen: bytes | None, call: int, ret: int) -> Operation:
    kvs = [pb.KeyValue(key=key, value=seen)] if seen is not None else []
    return Operation(client, 1, pb.Command(range=pb.RangeCommand(key=key)),
                     pb.CommandResult(ok=pb.CommandOk(range=pb.RangeResult(kvs=kvs))), call, ret)


def test_stale_read_after_acknowledged_write_is_flagged(tmp_path: Path) -> None:
    history = History([_put("a", b"k", b"new", 10, 20), _get("b", b"k", b"old", 30, 40)])
    verdict = linearizability.check(history, tmp_path / "v.html", initial={b"k": b"old"})
    assert verdict.result == "illegal"
    assert Path(verdict.visualization).is_file()


def test_linearizable_history_passes(tmp_path: Path) -> None:
    history = History([_put("a", b"k", b"new", 10, 40), _get("b", b"k", b"old", 20, 30),
                       _get("c", b"k", b"new", 50, 60)])
    assert linearizability.check(history, tmp_path / "v.html", initial={b"k": b"old"}).ok


def test_failed_write_stays_open_ended(tmp_path: Path) -> None:
    """A timed-out put may have been applied: a later read of its value is linearizable."""
    history = History([_put("a", b"k", b"maybe", 10, 20, ok=False), _get("b", b"k", b"maybe", 30, 40)])
    assert linearizability.check(history, tmp_path / "v.html").ok


def test_keys_of_unmodelled_writes_are_left_out(tmp_path: Path) -> None:
    odd = Operation("a", 0, pb.Command(put=pb.PutCommand(key=b"k", ignore_value=True)),
                    pb.CommandResult(ok=pb.CommandOk(put=pb.PutResult())), 5, 6)
    history = History([odd, _get("b", b"k", b"whatever", 30, 40)])
    verdict = linearizability.check(history, tmp_path / "v.html")
    assert verdict.ok and verdict.excluded_keys == [b"k"]


def test_align_bounds_calls_by_anchors_and_returns_by_receipts() -> None:
    cmds = [pb.Command(put=pb.PutCommand(key=b"k")), pb.Command(wait=pb.WaitCommand(latch="L")),
            pb.Command(put=pb.PutCommand(key=b"k"))]
    results = {0: pb.CommandResult(call_ns=100, return_ns=200, ok=pb.CommandOk(put=pb.PutResult())),
               1: pb.CommandResult(call_ns=210, return_ns=5_000, ok=pb.CommandOk(wait=pb.WaitResult(released=True))),
               2: pb.CommandResult(call_ns=5_010, return_ns=5_100, ok=pb.CommandOk(put=pb.PutResult()))}
    received = {0: 1_000_300, 1: 1_009_000, 2: 1_009_500}
    ops = align("p/c1", cmds, results, received, sent_ns=1_000_000, latch_released_ns={"L": 1_008_000})
    assert ops[0].call_ns == 1_000_000                   # the program was sent then
    assert ops[2].call_ns == 1_008_000 + 10              # released at 1_008_000, called 10 ns after the wait returned
    assert ops[2].return_ns == 1_009_500
    assert ops[0].return_ns <= 1_000_300
    assert all(o.call_ns <= o.return_ns for o in ops)
    missing = align("p/c1", cmds[:1], {}, {}, sent_ns=7, latch_released_ns={})
    assert missing[0].return_ns == NEVER


def test_every_key_of_an_stm_or_a_multi_put_txn_is_left_out() -> None:
    """The model expresses single-key operations only: an STM and a txn putting two keys write
    keys it cannot follow, so all of their keys (not only the first) are excluded."""
    from etcdfit.concurrency import transfer
    from etcdfit.program import put, txn

    ok = pb.CommandResult(ok=pb.CommandOk())
    hist = History([
        Operation("a", 0, transfer(b"x", b"y", 5).command, ok, 1, 2),
        Operation("b", 0, txn([], [put(b"p", b"1"), put(b"q", b"2")]).command, ok, 3, 4),
        _get("c", b"y", b"1005", 5, 6),
        _get("c", b"q", b"2", 7, 8),
        _get("c", b"z", None, 9, 10),
    ])
    ops, excluded = linearizability.porcupine_input(hist)
    assert excluded == [b"p", b"q", b"x", b"y"]
    assert [o["key"] for o in ops] == ["z"]
