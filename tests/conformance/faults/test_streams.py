"""Watch and keep-alive streams that must survive a server restart or a connection reset, or
say that they ended: never go quiet while looking alive."""

from __future__ import annotations

import time

import pytest

from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem
from etcdfit.program import (
    lease_keepalive_collect,
    lease_keepalive_start,
    lease_keepalive_stop,
    watch_collect,
    watch_start,
)

DIAL_MS, REQUEST_MS = 1000, 3000
COLLECT_BOUND_S = 20.0


def _fail(what: str, expected: str, actual: str) -> None:
    raise ExpectationFailed(f"{what}: expected {expected}, got {actual}",
                            [Problem(Kind.VALUE_MISMATCH, what, expected=expected, actual=actual)])


def _collect_until(sdk, handle: str, want: int, bound_s: float = COLLECT_BOUND_S):
    """Every event of the watch until `want` arrived, it ended, or the bound passed: (events, ended, errors)."""
    events, errors, ended, started = [], [], False, time.monotonic()
    while len(events) < want and not ended and time.monotonic() - started < bound_s:
        [r] = sdk.run(watch_collect(handle, want - len(events), timeout_ms=1000))
        events += list(r.events)
        errors += list(r.errors)
        ended = r.ended
    return events, ended, errors


def _write(oracle, ns, names: list[str]) -> list[int]:
    return [oracle.put(ns.key(n), n).header.revision for n in names]


def _disrupt(fault, how: str) -> None:
    if how == "restart":
        fault.kill_and_restart()
    else:
        fault.reset_connections()


def _check_exactly_once_in_order(events, written: list[tuple[bytes, int]]) -> None:
    got = [(e.kv.key, e.kv.mod_revision) for e in events]
    if got != written:
        missing = [w for w in written if w not in got]
        extra = [g for g in got if g not in written or got.count(g) > 1]
        _fail("the watch's events across the fault", f"{len(written)} events, each once, in revision order",
              f"{len(got)} events; missing {missing[:5]}, repeated or unexpected {extra[:5]}")


@pytest.mark.parametrize("how", ["restart", "reset"])
@pytest.mark.requires("watch.prefix", "watch.resume")
def test_a_watch_delivers_every_event_exactly_once_across_a_fault(performer, fault, ns, how):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    sdk.run(watch_start("w", ns.key(""), prefix=True))
    before = _write(fault.oracle, ns, ["b1", "b2"])
    first, _, _ = _collect_until(sdk, "w", 2)
    _disrupt(fault, how)
    during = _write(fault.oracle, ns, ["d1", "d2"])  # written while the SDK reconnects
    time.sleep(0.5)
    after = _write(fault.oracle, ns, ["a1", "a2"])
    rest, ended, errors = _collect_until(sdk, "w", 4)
    if ended:
        _fail("the watch after the fault", "alive (the performer claims watch.resume)",
              f"ended, errors {[e.message for e in errors]}")
    names = ["b1", "b2", "d1", "d2", "a1", "a2"]
    revs = before + during + after
    _check_exactly_once_in_order(first + rest, [(ns.key(n), r) for n, r in zip(names, revs, strict=True)])


@pytest.mark.parametrize("how", ["restart", "reset"])
@pytest.mark.requires("watch.prefix")
def test_a_watch_that_does_not_resume_says_it_ended(performer, fault, ns, how):
    if "watch.resume" in performer.capabilities:
        pytest.skip(f"{performer.identity.label} claims watch.resume: the exactly-once test covers it")
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    sdk.run(watch_start("w", ns.key(""), prefix=True))
    before = _write(fault.oracle, ns, ["b1"])
    first, _, _ = _collect_until(sdk, "w", 1)
    _disrupt(fault, how)
    time.sleep(0.5)
    after = _write(fault.oracle, ns, ["a1", "a2"])
    rest, ended, errors = _collect_until(sdk, "w", 2, bound_s=10.0)
    names, revs = ["b1", "a1", "a2"], before + after
    delivered_all = [(e.kv.key, e.kv.mod_revision) for e in first + rest] == \
        [(ns.key(n), r) for n, r in zip(names, revs, strict=True)]
    if not (ended or errors or delivered_all):
        _fail("a watch the SDK does not resume", "the watch reported as ended (or an error surfaced), "
              "or every event delivered", f"a live-looking watch with {len(first + rest)} of 3 events and no error")


# ------------------------------------------------------------------ keep-alive streams

TTL = 2  # seconds; etcd raises smaller TTLs to its minimum


@pytest.mark.requires("lease.keepalive", "lease.ttl")
def test_a_keepalive_stream_keeps_a_short_lease_alive(performer, fault, ns):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    [start] = sdk.run(lease_keepalive_start("ka", ttl=TTL))
    lease = start.id
    time.sleep(3 * TTL + 0.5)
    [got] = sdk.run(lease_keepalive_collect("ka", 0, timeout_ms=100))
    left = fault.oracle.lease_remaining(lease)
    sdk.run(lease_keepalive_stop("ka"))
    if left <= 0:
        _fail(f"the lease {3 * TTL + 0.5:g}s after its keep-alive started (TTL {TTL}s)", "alive (TTL > 0)",
              f"TTL {left} ({len(got.responses)} renewals reported)")
    if len(got.responses) < 2:
        _fail("renewals reported over 3 TTLs", ">= 2", str(len(got.responses)))
    if got.ended:
        _fail("the keep-alive stream", "alive", f"ended ({got.end_error.message})")


@pytest.mark.requires("lease.keepalive", "lease.ttl")
def test_a_keepalive_stream_survives_a_short_connection_reset(performer, fault, ns):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    [start] = sdk.run(lease_keepalive_start("ka", ttl=TTL))
    time.sleep(1)
    fault.reset_connections(hold_s=0.2)  # shorter than the TTL
    time.sleep(3 * TTL)
    left = fault.oracle.lease_remaining(start.id)
    sdk.run(lease_keepalive_stop("ka"))
    if left <= 0:
        _fail(f"the lease {3 * TTL}s after a connection reset", "alive (TTL > 0)", f"TTL {left}")


@pytest.mark.requires("lease.keepalive")
def test_a_keepalive_stream_reports_its_end_when_the_lease_is_revoked_elsewhere(performer, fault, ns):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    [start] = sdk.run(lease_keepalive_start("ka", ttl=TTL))
    sdk.run(lease_keepalive_collect("ka", 1, timeout_ms=3000))
    fault.oracle.lease_revoke(start.id)
    deadline, ended = time.monotonic() + 3 * TTL + 2, False
    while not ended and time.monotonic() < deadline:
        [r] = sdk.run(lease_keepalive_collect("ka", 0, timeout_ms=500))
        ended = r.ended or any(x.ttl <= 0 for x in r.responses)
    if not ended:
        _fail("the keep-alive stream after the lease was revoked elsewhere", f"ended within {3 * TTL + 2}s",
              "still running, no end reported")
