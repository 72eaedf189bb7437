"""etcdfit robustness: argument checks, and its checker on robustness-shaped histories: a large
concurrent history that is linearizable by construction passes (the check time is printed), and
one stale read planted in it is flagged with porcupine's visualization."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest

from etcdfit.errors import EtcdfitError
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.history import linearizability
from etcdfit.history.record import History, Operation
from etcdfit.program import compare, delete, get, put, txn
from etcdfit.robustness import Robustness, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [("60s", 60), ("2m", 120), ("500ms", 0.5), ("90", 90), ("1.5s", 1.5)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "s", "10h", "-5s", "ten"])
def test_bad_durations_are_errors(text: str) -> None:
    with pytest.raises(EtcdfitError, match="--duration"):
        parse_duration(text)


def test_faults_need_a_cluster(tmp_path: Path) -> None:
    with pytest.raises(EtcdfitError, match="--faults needs --topology cluster3"):
        Robustness(["go-clientv3"], tmp_path, duration=1, faults=True)
    with pytest.raises(EtcdfitError, match="at least one --performer"):
        Robustness([], tmp_path, duration=1)


def _history(n: int, clients: int, keys: int, seed: int) -> tuple[History, dict[bytes, bytes]]:
    """n operations of the robustness mix on `keys` keys by `clients` clients, each with an
    interval around its linearization point (overlapping other clients' operations), results
    from a sequential store at that point: linearizable by construction."""
    rng = random.Random(seed)
    store = {f"k{i}".encode(): b"init" for i in range(keys)}
    initial = dict(store)
    busy_until = [0] * clients
    ops: list[Operation] = []
    t = 1_000
    for i in range(n):
        t += rng.randrange(1, 50)
        c = rng.randrange(clients)
        key = f"k{rng.randrange(keys)}".encode()
        call = max(busy_until[c] + 1, t - rng.randrange(0, 400))
        if call > t:  # this client is still busy: its next operation starts later
            t = call
        ret = t + rng.randrange(0, 400)
        busy_until[c] = ret
        r = rng.random()
        fresh = f"c{c}#{i}".encode()
        if r < 0.4:
            seen = store.get(key)
            kvs = [pb.KeyValue(key=key, value=seen)] if seen is not None else []
            cmd, res = get(key).command, pb.CommandOk(range=pb.RangeResult(kvs=kvs))
        elif r < 0.7:
            store[key] = fresh
            cmd, res = put(key, fresh).command, pb.CommandOk(put=pb.PutResult())
        elif r < 0.9:
            expect = store.get(key, b"") if rng.random() < 0.5 else b"other"
            ok = store.get(key) == expect
            if ok:
                store[key] = fresh
            cmd = txn([compare(key, "value", "=", expect)], [put(key, fresh)]).command
            res = pb.CommandOk(txn=pb.TxnResult(succeeded=ok))
        else:
            deleted = 1 if key in store else 0
            store.pop(key, None)
            cmd, res = delete(key).command, pb.CommandOk(delete_range=pb.DeleteRangeResult(deleted=deleted))
        ops.append(Operation(f"sdk/c{c}", i, cmd, pb.CommandResult(ok=res), call, ret))
    ops.sort(key=lambda o: o.call_ns)
    return History(ops), initial


@pytest.mark.skipif(shutil.which("go") is None, reason="the porcupine helper is built with go")
def test_a_large_concurrent_history_checks_and_a_planted_stale_read_is_flagged(tmp_path: Path) -> None:
    history, initial = _history(3000, clients=12, keys=6, seed=7)
    linearizability.helper_binary()  # built once, not timed
    started = time.monotonic()
    verdict = linearizability.check(history, tmp_path / "ok.html", initial=initial)
    took = time.monotonic() - started
    print(f"porcupine: {verdict.operations} operations, 12 clients, 6 keys: {verdict.result} in {took:.2f}s")
    assert verdict.result == "ok"
    assert verdict.operations >= 1000
    # a read, after the last write of its key was acknowledged, of a value overwritten long before
    last_get = max((o for o in history.operations if o.name == "range"), key=lambda o: o.call_ns)
    key = last_get.command.range.key
    stale = pb.CommandResult(ok=pb.CommandOk(range=pb.RangeResult(kvs=[pb.KeyValue(key=key, value=b"init")])))
    end = max(o.return_ns for o in history.operations)
    history.operations.append(Operation("sdk/late", 0, get(key).command, stale, end + 10, end + 20))
    verdict = linearizability.check(history, tmp_path / "bad.html", initial=initial)
    assert verdict.result == "illegal"
    assert Path(verdict.visualization).is_file()


def test_the_drill_down_links_a_violation_s_visualization() -> None:
    from etcdfit.outcomes import Kind, Problem
    from etcdfit.report.html import _problem_table

    cell = _problem_table([Problem(Kind.HISTORY_VIOLATION, "not linearizable", path="/tmp/h/linearizability.html")])
    assert "<a href='file:///tmp/h/linearizability.html'>porcupine visualization</a>" in cell
    assert "<a " not in _problem_table([Problem(Kind.VALUE_MISMATCH, "m", path="kvs[0].value")])


def test_failed_writes_never_applied_are_left_out_and_applied_ones_stay_open() -> None:
    from etcdfit.history.record import NEVER
    from etcdfit.robustness import patch_history

    failed = pb.CommandResult(sdk_error=pb.SdkError(code=pb.UNAVAILABLE))
    ok = pb.CommandResult(ok=pb.CommandOk(put=pb.PutResult()))
    ops = [Operation("a", 0, put(b"k", b"a#1").command, failed, 1, NEVER),          # never applied
           Operation("a", 1, put(b"k", b"a#2").command, failed, 2, NEVER),          # applied despite the error
           Operation("b", 0, txn([compare(b"k", "value", "=", b"x")], [put(b"k", b"b#1")]).command, failed, 3, NEVER),
           Operation("b", 1, delete(b"k").command, failed, 4, NEVER),               # a delete: cannot tell
           Operation("c", 0, put(b"k", b"c#1").command, ok, 5, 6)]
    checked, stats = patch_history(History(ops), {(b"k", b"a#2"), (b"k", b"c#1")})
    assert [(o.client, o.index) for o in checked.operations] == [("a", 1), ("b", 1), ("c", 0)]
    assert stats == {"dropped": 2, "kept_open": 2}
    unchanged, stats = patch_history(History(ops), None)   # no server events: nothing dropped
    assert len(unchanged.operations) == len(ops) and stats["dropped"] == 0


class _FakeLab:
    """The fault scheduler's view of a ClusterLab: records calls, heals at once."""

    size = 3

    def __init__(self, fail_moves: bool = False) -> None:
        self.calls: list[tuple[str, int | None]] = []
        self.fail_moves = fail_moves

    def kill(self, m: int) -> None:
        self.calls.append(("kill", m))

    def restart(self, m: int) -> None:
        self.calls.append(("restart", m))

    def move_leader(self) -> int:
        if self.fail_moves:
            raise EtcdfitError("no leader to move")
        self.calls.append(("move_leader", None))
        return 1

    def isolate(self, m: int) -> None:
        self.calls.append(("isolate", m))

    def heal(self) -> None:
        self.calls.append(("heal", None))

    def wait_healthy(self, timeout: float) -> None:
        self.calls.append(("healthy", None))


@pytest.mark.parametrize("fail_moves", [False, True])
def test_the_fault_scheduler_undoes_each_fault_before_the_next(tmp_path: Path, fail_moves: bool) -> None:
    """A unit test of Robustness._inject with a fake lab (a real cluster3 run with faults takes
    about a minute here; docs/concurrency.md gives its figures): faults come every fault_every
    seconds until stop, each undone (a killed member restarted, an isolation healed) and the
    cluster healthy again before the next; a fault that fails is logged, and the loop goes on."""
    import threading

    r = Robustness(["go-clientv3"], tmp_path, duration=8, topology="cluster3", faults=True, echo=False)
    assert r.fault_every == 3.0  # max(3 s, duration / 8)
    r.fault_every = 0.02
    lab, stop = _FakeLab(fail_moves), threading.Event()
    t = threading.Thread(target=r._inject, args=(lab, stop, random.Random(3)), daemon=True)
    t.start()
    time.sleep(1.0)  # isolations and kills wait 1-1.5 s on `stop`: a few faults fit
    stop.set()
    t.join(5)
    assert not t.is_alive(), "the scheduler did not stop within 5 s of stop"
    assert r.fault_log, "no fault was injected"
    i = 0
    for entry in r.fault_log:
        if "failed" in entry["what"]:
            assert fail_moves and entry["kind"] == "move_leader"
            continue
        kind, m = lab.calls[i]
        if kind == "kill":
            assert lab.calls[i + 1] == ("restart", m) and lab.calls[i + 2][0] == "healthy"
            i += 3
        elif kind == "isolate":
            assert lab.calls[i + 1] == ("heal", None) and lab.calls[i + 2][0] == "healthy"
            i += 3
        else:
            assert kind == "move_leader" and lab.calls[i + 1][0] == "healthy"
            i += 2
    assert i == len(lab.calls)


@pytest.mark.skipif(shutil.which("go") is None, reason="go-clientv3 and the porcupine helper are built with go")
def test_a_real_run_with_a_planted_stale_read_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: 2 s of real traffic (go-clientv3, embedded etcd); the test hook rewrites one
    recorded read to the key's initial value after a put to it was acknowledged. The check must
    find it: exit 1 and porcupine's visualization saved. (Without the hook the same run is clean.)"""
    from etcdfit.cli import main as cli

    code = cli(["robustness", "--performer", "go-clientv3", "--duration", "2s", "--clients", "2", "--seed", "7",
                "--out", str(tmp_path), "--plant-stale-read"])
    out = capsys.readouterr().out
    import json

    doc = json.loads((tmp_path / "result.json").read_text())
    assert doc["planted_stale_read"], out
    assert code == 1, out
    assert doc["linearizability"]["result"] == "illegal"
    assert Path(doc["linearizability"]["visualization"]).is_file()


@pytest.mark.skipif(shutil.which("go") is None, reason="go-clientv3 and the porcupine helper are built with go")
def test_a_short_real_fault_run_on_cluster3_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`etcdfit robustness --topology cluster3 --faults` for 6 s with go-clientv3 alone (about 15 s
    in all here): at least one fault injected and undone, a clean check, exit 0."""
    import json

    from etcdfit.cli import main as cli

    code = cli(["robustness", "--performer", "go-clientv3", "--topology", "cluster3", "--faults",
                "--duration", "6s", "--seed", "11", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    doc = json.loads((tmp_path / "result.json").read_text())
    print(f"{doc['operations']} operations, faults {[f['what'] for f in doc['faults']]}, "
          f"check {doc['linearizability']['check_s']} s, wall {doc['wall_s']} s")
    assert doc["faults"], out
    assert code == 0, out
    assert doc["linearizability"]["result"] == "ok"
