"""Failover in a 3-member cluster: a member killed or cut off from clients, the leader killed or
moved during writes, and reads through a member cut off from its peers.

Every test runs on a cluster of its own (`cluster_lab`): clients reach member i through a proxy
(`cluster_lab.endpoints[i]`), members reach each other through peer-link proxies that can cut a
member off. After the body, faults are undone and the members' HashKV must agree (session.py).
Timing is asserted only as "ended within its bound": a call must never hang.
"""

from __future__ import annotations

import threading
import time

import pytest

from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem
from etcdfit.program import get, put

pytestmark = pytest.mark.server(topology="cluster")

DIAL_MS, REQUEST_MS = 1000, 3000
FAILOVER_BOUND_S = 15.0    # election (~1 s) + the SDK's backoff and retries, on 2 busy cores
SLACK_S = 5.0


def _fail(what: str, expected: str, actual: str) -> None:
    raise ExpectationFailed(f"{what}: expected {expected}, got {actual}",
                            [Problem(Kind.VALUE_MISMATCH, what, expected=expected, actual=actual)])


def _serving_member(lab, res) -> int:
    """The member that answered `res` (from its header), or member 0 when the SDK shows no header."""
    if res.header.present and res.header.member_id in lab.member_ids:
        return lab.member_ids.index(res.header.member_id)
    return 0


def _write_until_ok(sdk, key: bytes, value: str, bound_s: float) -> tuple[object, list[str], float]:
    """Puts until one succeeds or the bound passes (bounded; failing over is the SDK's job):
    (the last outcome, the errors before it, seconds taken)."""
    started, errors, last = time.monotonic(), [], None
    while time.monotonic() - started < bound_s:
        [last] = sdk.run(put(key, value).allow_error())
        if last.kind == "ok":
            break
        errors.append(last.describe())
        time.sleep(0.2)
    return last, errors, time.monotonic() - started


@pytest.mark.parametrize("how", ["kill", "cut"])
@pytest.mark.requires("kv.put", "kv.range")
def test_the_next_write_succeeds_through_another_member_when_the_sdks_member_fails(performer, cluster_lab, ns, how):
    """The SDK has every member's endpoint; the member that answered its last write is killed
    (or cut off from clients). A write must succeed through another member within the bound;
    errors on the way are allowed (and printed) but the client must fail over on its own."""
    lab = cluster_lab
    sdk = performer.connect(lab.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    [first] = sdk.run(put(ns.key("k"), "before"))
    victim = _serving_member(lab, first)
    if how == "kill":
        lab.kill(victim)
    else:
        lab.cut_clients(victim)
    last, errors, took = _write_until_ok(sdk, ns.key("k"), "after", FAILOVER_BOUND_S)
    print(f"member {victim} {how}: first success after {took:.2f}s and {len(errors)} failed calls"
          + (f"; first error: {errors[0]}" if errors else ""))
    if last is None or last.kind != "ok":
        _fail(f"a write within {FAILOVER_BOUND_S:g}s of member {victim} being {how} (the SDK has every endpoint)",
              "success through another member", last.describe() if last is not None else "no call made")
    if last.header.present and last.header.member_id == lab.member_ids[victim]:
        _fail("the member that answered after the fault", f"not member {victim}", f"member {victim}")
    assert lab.healthy_oracle().value(ns.key("k")) == b"after"


WRITER_PROGRAM = 5          # puts per program in the writer thread
WRITES_BEFORE_S = 0.5       # the writer runs this long before the fault
WRITES_AFTER_S = 2.5        # ... and this long after it
WRITER_BOUND_S = 30.0


@pytest.mark.parametrize("how", ["kill-leader", "move-leader"])
@pytest.mark.requires("kv.put")
def test_no_acknowledged_write_is_lost_when_the_leader_changes_during_writes(performer, cluster_lab, ns, how):
    lab = cluster_lab
    sdk = performer.connect(lab.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    acked: dict[bytes, tuple[str, int]] = {}
    failed: list[str] = []
    stop = threading.Event()
    crashed: list[BaseException] = []

    def writer() -> None:
        n, started = 0, time.monotonic()
        try:
            while not stop.is_set() and time.monotonic() - started < WRITER_BOUND_S:
                batch = [(ns.key(f"w/{n + i:04d}"), f"value {n + i}") for i in range(WRITER_PROGRAM)]
                n += WRITER_PROGRAM
                for (k, v), r in zip(batch, sdk.run(*[put(k, v).allow_error() for k, v in batch]), strict=True):
                    if r.kind == "ok":
                        acked[k] = (v, r.header.revision if r.header.present else 0)
                    else:
                        failed.append(r.describe())
        except BaseException as exc:   # surfaced in the test's thread below
            crashed.append(exc)

    t = threading.Thread(target=writer, name="writes-during-leader-change")
    t.start()
    try:
        time.sleep(WRITES_BEFORE_S)
        old = lab.leader()
        if how == "kill-leader":
            lab.kill(old)
        else:
            lab.move_leader()
        time.sleep(WRITES_AFTER_S)
    finally:
        stop.set()
        t.join(WRITER_BOUND_S + 10)
    if crashed:
        raise crashed[0]
    print(f"{how} (member {old}): {len(acked)} writes acknowledged, {len(failed)} failed"
          + (f"; first error: {failed[0]}" if failed else ""))
    oracle = lab.healthy_oracle()
    lost = []
    for k, (v, rev) in sorted(acked.items()):
        kv = oracle.get(k)
        if kv is None or kv.value != v.encode() or (rev and kv.mod_revision != rev):
            lost.append(f"{k.decode()}: acknowledged {v!r} at revision {rev}, the cluster has "
                        + (f"{kv.value!r} at {kv.mod_revision}" if kv else "nothing"))
    if lost:
        _fail(f"acknowledged writes after {how}", "every one in the cluster at its revision",
              f"{len(lost)} of {len(acked)} lost or different: " + "; ".join(lost[:5]))
    if not acked:
        _fail("writes acknowledged over the whole run", "at least one", "none")


# ------------------------------------------------------------------ a member cut off from its peers

@pytest.mark.requires("kv.put", "kv.range", "kv.range.serializable")
def test_a_serializable_read_through_a_member_cut_off_from_its_peers_returns_the_stale_value(
        performer, cluster_lab, ns):
    """Serializable reads are served from the member's own store: cut off, it still answers,
    with what it had before the cut (the majority has moved on)."""
    lab = cluster_lab
    f = lab.follower()
    lab.oracle(lab.leader()).put(ns.key("k"), "before the cut")
    sdk = performer.connect([lab.endpoints[f]], dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    sdk.run(get(ns.key("k")).expect(kvs=[{"value": "before the cut"}]))   # connected, and f has it
    lab.isolate(f)
    lab.healthy_oracle().put(ns.key("k"), "after the cut")
    sdk.run(get(ns.key("k"), serializable=True).expect(kvs=[{"value": "before the cut"}]))


@pytest.mark.requires("kv.put", "kv.range")
def test_a_linearizable_read_through_a_member_cut_off_from_its_peers_fails(performer, cluster_lab, ns):
    """A linearizable read needs the leader's read index: a member cut off from its peers cannot
    get one, so the read must fail (or time out) instead of answering from its stale store."""
    lab = cluster_lab
    f = lab.follower()
    lab.oracle(lab.leader()).put(ns.key("k"), "before the cut")
    sdk = performer.connect([lab.endpoints[f]], dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    sdk.run(get(ns.key("k")).expect(kvs=[{"value": "before the cut"}]))
    lab.isolate(f)
    lab.healthy_oracle().put(ns.key("k"), "after the cut")
    started = time.monotonic()
    [res] = sdk.run(get(ns.key("k")).allow_error())
    wall = time.monotonic() - started
    if res.kind == "ok":
        values = [kv.value for kv in res.kvs]
        _fail("a linearizable read through a member cut off from its peers",
              "an error (no read index without the leader)", f"an answer: {values}")
    if wall > REQUEST_MS / 1000 + SLACK_S:
        _fail("time to the error", f"<= request timeout + {SLACK_S:g}s", f"{wall:.1f}s")
    print(f"linearizable read through isolated member {f}: {res.describe()} after {wall:.2f}s")
