"""Calls when the connection fails: an unreachable, blackholed or frozen server, and a restart.

Each test connects the SDK to the fault lab's own server through a toxiproxy link
(`fault.endpoints`), so faults never touch the session's shared server. Timing is asserted only
as "the call ended within its configured timeouts plus a generous slack": a call must never hang.
"""

from __future__ import annotations

import time

import pytest

from etcdfit import proc
from etcdfit.errors import ExpectationFailed
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.outcomes import Kind, Problem
from etcdfit.program import get, put

DIAL_MS = 1000
REQUEST_MS = 2000
SLACK_S = 5.0   # generous: SDK retries and backoff, the 2-core machine, the proxy
ENDED = ("UNAVAILABLE", "DEADLINE_EXCEEDED")


def _elapsed_s(r: pb.CommandResult | pb.ConnectResponse) -> float:
    return (r.return_ns - r.call_ns) / 1e9


def _fail(what: str, expected: str, actual: str) -> None:
    raise ExpectationFailed(f"{what}: expected {expected}, got {actual}",
                            [Problem(Kind.VALUE_MISMATCH, what, expected=expected, actual=actual)])


def _connect_or_error(performer, endpoints: list[str]):
    """A session on `endpoints`, or None when the SDK refused to connect (checked to end in time)."""
    outcome = performer.try_connect(endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    if isinstance(outcome, pb.ConnectResponse):
        code = pb.ErrorCode.Name(outcome.error.code)
        if code not in ENDED:
            _fail("the SDK's connect error", f"one of {ENDED}", f"{code} ({outcome.error.sdk_type}: "
                                                              f"{outcome.error.message})")
        if _elapsed_s(outcome) > DIAL_MS / 1000 + SLACK_S:
            _fail("connect time", f"<= dial timeout + {SLACK_S:g}s", f"{_elapsed_s(outcome):.1f}s")
        return None
    return outcome


def _call_ends_unavailable_or_deadline(sdk, key: bytes, budget_s: float) -> str:
    started = time.monotonic()
    [res] = sdk.run(put(key, "v").allow_error())
    wall = time.monotonic() - started
    if res.kind != "sdk_error":
        _fail("a put to a server that cannot answer", f"an error, one of {ENDED}", res.describe())
    if res.code not in ENDED:
        _fail("the error code of a put to a server that cannot answer", f"one of {ENDED}", res.describe())
    if max(wall, _elapsed_s(res.result)) > budget_s:
        _fail("time to the error", f"<= {budget_s:g}s (timeouts + slack)", f"{max(wall, _elapsed_s(res.result)):.1f}s")
    return res.code


@pytest.mark.requires("kv.put")
def test_call_to_a_closed_port_ends_unavailable_or_deadline_exceeded(performer, ns):
    sdk = _connect_or_error(performer, [f"http://127.0.0.1:{proc.free_port()}"])
    if sdk is not None:
        _call_ends_unavailable_or_deadline(sdk, ns.key("a"), (DIAL_MS + REQUEST_MS) / 1000 + SLACK_S)


@pytest.mark.requires("kv.put")
def test_call_to_a_blackholed_server_ends_unavailable_or_deadline_exceeded(performer, fault, ns):
    fault.blackhole()  # TCP connects to the proxy succeed; nothing ever comes back
    sdk = _connect_or_error(performer, fault.endpoints)
    if sdk is not None:
        _call_ends_unavailable_or_deadline(sdk, ns.key("a"), (DIAL_MS + REQUEST_MS) / 1000 + SLACK_S)


@pytest.mark.requires("kv.put")
def test_call_to_a_frozen_server_ends_deadline_exceeded(performer, fault, ns):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    sdk.run(put(ns.key("a"), "before"))
    fault.pause()
    started = time.monotonic()
    [res] = sdk.run(put(ns.key("a"), "frozen").allow_error())
    wall = time.monotonic() - started
    fault.resume()
    if res.kind != "sdk_error" or res.code != "DEADLINE_EXCEEDED":
        _fail("a put to a frozen (SIGSTOP) server", "sdk_error DEADLINE_EXCEEDED", res.describe())
    if wall > REQUEST_MS / 1000 + SLACK_S:
        _fail("time to the error", f"<= request timeout + {SLACK_S:g}s", f"{wall:.1f}s")


@pytest.mark.requires("kv.put", "kv.range")
def test_the_same_client_works_again_after_a_server_restart(performer, fault, ns):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    sdk.run(put(ns.key("a"), "before"))
    fault.kill_and_restart()
    bound_s, started, last = 15.0, time.monotonic(), None
    while time.monotonic() - started < bound_s:  # bounded retries: reconnecting is the SDK's job
        [last] = sdk.run(put(ns.key("a"), "after").allow_error())
        if last.kind == "ok":
            break
        time.sleep(0.25)
    assert last is not None
    if last.kind != "ok":
        _fail(f"a put within {bound_s:g}s of the restart", "success (the SDK reconnects)", last.describe())
    sdk.run(get(ns.key("a")).expect(kvs=[{"value": "after"}]))
    assert fault.oracle.value(ns.key("a")) == b"after"


@pytest.mark.requires("kv.put", "connect.block")
def test_a_blocking_connect_to_a_closed_port_fails_within_the_dial_timeout(performer):
    started = time.monotonic()
    outcome = performer.try_connect([f"http://127.0.0.1:{proc.free_port()}"], dial_timeout_ms=DIAL_MS,
                                    request_timeout_ms=REQUEST_MS, block_until_connected=True)
    wall = time.monotonic() - started
    if not isinstance(outcome, pb.ConnectResponse):
        _fail("Connect with block_until_connected to a closed port", "the SDK's connect error",
              "a client (the SDK did not block)")
    code = pb.ErrorCode.Name(outcome.error.code)
    if code not in ENDED:
        _fail("the SDK's connect error", f"one of {ENDED}", f"{code} ({outcome.error.message})")
    if wall > DIAL_MS / 1000 + SLACK_S:
        _fail("time to the connect error", f"<= dial timeout + {SLACK_S:g}s", f"{wall:.1f}s")


@pytest.mark.requires("kv.put", "connect.keepalive")
def test_keepalive_settings_are_accepted_and_the_client_works(performer, fault, ns):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS,
                            keepalive_time_ms=1000, keepalive_timeout_ms=1000)
    sdk.run(put(ns.key("a"), "v"))
    time.sleep(2.5)  # a few keepalive periods on an idle connection
    sdk.run(get(ns.key("a")).expect(kvs=[{"value": "v"}]))


@pytest.mark.requires("kv.put", "connect.auto_sync")
def test_auto_sync_interval_is_accepted_and_the_client_works(performer, fault, ns):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS,
                            auto_sync_interval_ms=500)
    sdk.run(put(ns.key("a"), "v"))
    time.sleep(1.5)
    sdk.run(get(ns.key("a")).expect(kvs=[{"value": "v"}]))
