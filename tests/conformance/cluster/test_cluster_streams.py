"""Watch and keep-alive streams in a cluster: across leader changes and a member kill, and leases
that expire on every member.

Events are written through the oracle on a member that is up; the SDK has every member's
endpoint. The watch-guarantee checker runs on every watch_collect too (etcdfit.history.watch).
"""

from __future__ import annotations

import time

import pytest

from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem
from etcdfit.program import (
    lease_grant,
    lease_keepalive_start,
    lease_keepalive_stop,
    put,
    watch_collect,
    watch_start,
)

pytestmark = pytest.mark.server(topology="cluster")

DIAL_MS, REQUEST_MS = 1000, 3000
COLLECT_BOUND_S = 20.0
TTL = 2


def _fail(what: str, expected: str, actual: str) -> None:
    raise ExpectationFailed(f"{what}: expected {expected}, got {actual}",
                            [Problem(Kind.VALUE_MISMATCH, what, expected=expected, actual=actual)])


def _collect_until(sdk, handle: str, want: int, bound_s: float = COLLECT_BOUND_S):
    events, errors, ended, started = [], [], False, time.monotonic()
    while len(events) < want and not ended and time.monotonic() - started < bound_s:
        [r] = sdk.run(watch_collect(handle, want - len(events), timeout_ms=1000))
        events += list(r.events)
        errors += list(r.errors)
        ended = r.ended
    return events, ended, errors


def _write(lab, ns, names: list[str]) -> list[tuple[bytes, int]]:
    return [(ns.key(n), lab.healthy_oracle().put(ns.key(n), n).header.revision) for n in names]


@pytest.mark.requires("watch.prefix", "watch.resume")
def test_a_watch_delivers_every_event_exactly_once_across_leader_changes_and_a_member_kill(
        performer, cluster_lab, ns):
    lab = cluster_lab
    sdk = performer.connect(lab.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    sdk.run(watch_start("w", ns.key(""), prefix=True))
    written = _write(lab, ns, ["a1", "a2", "a3"])
    lab.move_leader()
    written += _write(lab, ns, ["b1", "b2", "b3"])
    killed = lab.kill_leader(wait=True)   # the oracle's writes go to the new leader's cluster
    written += _write(lab, ns, ["c1", "c2", "c3"])
    lab.restart(killed)
    lab.wait_healthy()
    lab.move_leader()
    written += _write(lab, ns, ["d1", "d2", "d3"])
    events, ended, errors = _collect_until(sdk, "w", len(written))
    if ended:
        _fail("the watch across leader changes", "alive (the performer claims watch.resume)",
              f"ended, errors {[e.message for e in errors]}")
    got = [(e.kv.key, e.kv.mod_revision) for e in events]
    if got != written:
        missing = [w for w in written if w not in got]
        extra = [g for g in got if g not in written or got.count(g) > 1]
        _fail("the watch's events across two leader moves and a leader kill",
              f"{len(written)} events, each once, in revision order",
              f"{len(got)} events; missing {missing[:5]}, repeated or unexpected {extra[:5]}")


@pytest.mark.requires("lease.keepalive", "lease.ttl")
def test_a_keepalive_keeps_its_lease_alive_across_leader_changes(performer, cluster_lab, ns):
    lab = cluster_lab
    sdk = performer.connect(lab.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    [start] = sdk.run(lease_keepalive_start("ka", ttl=TTL))
    for _ in range(3):
        lab.move_leader()
        time.sleep(TTL / 2)
    time.sleep(2 * TTL)
    left = lab.healthy_oracle().lease_remaining(start.id)
    sdk.run(lease_keepalive_stop("ka"))
    if left <= 0:
        _fail(f"the lease after three leader moves over {1.5 * TTL + 2 * TTL:g}s (TTL {TTL}s)", "alive (TTL > 0)",
              f"TTL {left}")


@pytest.mark.requires("lease.grant", "kv.put.lease")
def test_the_keys_of_an_expired_lease_disappear_on_every_member(performer, cluster_lab, ns):
    lab = cluster_lab
    sdk = performer.connect(lab.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    [grant] = sdk.run(lease_grant(TTL))
    sdk.run(put(ns.key("leased"), "v", lease=grant.id))
    for i in range(lab.size):
        assert lab.oracle(i).value(ns.key("leased")) == b"v", f"member {i} does not have the leased key"
    bound_s = TTL + 10.0   # expiry is checked by the leader every 500 ms; revocation is a raft entry
    deadline, left = time.monotonic() + bound_s, list(range(lab.size))
    while left and time.monotonic() < deadline:
        left = [i for i in left if lab.oracle(i).value(ns.key("leased")) is not None]
        time.sleep(0.2)
    if left:
        _fail(f"the leased key {bound_s:g}s after its lease's TTL of {TTL}s", "gone on every member",
              f"still on members {left}")
    for i in range(lab.size):
        ttl = lab.oracle(i).lease_ttl(grant.id).TTL
        if ttl != -1:
            _fail(f"member {i}'s TimeToLive of the expired lease", "-1 (not found)", str(ttl))
